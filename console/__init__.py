"""The operator console (平台运营): verification and review queues, sampling, accounts."""
