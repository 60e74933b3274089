"""The graded catalog: brands, categories, grade standards, products and variants, images,
certifications, batches with 承诺达标合格证 and traceability, listing review."""
