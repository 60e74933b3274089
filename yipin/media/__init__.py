"""Uploaded images, shared by the domains: the ``Image`` row (models), validation and WebP
renditions (images), and the route that serves them (views). What an image illustrates — a
product's gallery, a supplier's licence — is recorded by the domain that uses it."""
