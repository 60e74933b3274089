"""Catalog models (one module per aggregate, re-exported here)."""

from catalog.models.batches import (
    Batch,
    BatchInspection,
    BatchStatus,
    InspectionResult,
    SamplingRecord,
)
from catalog.models.certifications import Certification, CertificationKind
from catalog.models.imports import ImportJob, ImportStatus
from catalog.models.products import (
    ListingReview,
    Product,
    ProductImage,
    ProductStatus,
    ReviewEvent,
    Variant,
)
from catalog.models.reference import Category, Grade, GradeStandard, RegionalBrand, StorageClass

__all__ = [
    "Batch",
    "BatchInspection",
    "BatchStatus",
    "Category",
    "Certification",
    "CertificationKind",
    "Grade",
    "GradeStandard",
    "ImportJob",
    "ImportStatus",
    "InspectionResult",
    "ListingReview",
    "Product",
    "ProductImage",
    "ProductStatus",
    "RegionalBrand",
    "ReviewEvent",
    "SamplingRecord",
    "StorageClass",
    "Variant",
]
