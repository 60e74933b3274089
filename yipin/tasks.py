"""Imports every module that registers outbox handlers (so web, workers and CLI know them)."""

import importlib

TASK_MODULES = ["catalog.tasks", "suppliers.tasks", "fulfillment.tasks", "orders.tasks"]


def load_all() -> None:
    for name in TASK_MODULES:
        importlib.import_module(name)
