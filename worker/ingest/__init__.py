"""Ingestion of one asset, media side: probe a local source, derive its files locally.

result = probe(path)                       # raises worker.errors.MediaError subclasses
files = derive_all(path, out_dir, result, IngestSettings(), progress)
"""

from worker.ingest.config import IngestSettings
from worker.ingest.derive import DEFAULT_KINDS, derive_all, planned_kinds
from worker.ingest.files import ALL_KINDS, DerivedFile, Kind
from worker.ingest.probe import ProbeResult, probe

__all__ = [
    "ALL_KINDS",
    "DEFAULT_KINDS",
    "DerivedFile",
    "IngestSettings",
    "Kind",
    "ProbeResult",
    "derive_all",
    "planned_kinds",
    "probe",
]
