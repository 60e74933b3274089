"""The SLA monitor: flags parcels that break a service level (``SlaFlag``), and clears flags
whose parcel recovered.

- ``not_out_of_county``: collected in one of the platform's villages or townships and still
  not scanned outside its county 24 h later (村级快件24小时基本出县); parcels for a destination
  in their own county are exempt.
- ``silent``: a parcel on its way with no tracking event for 48 h.
- ``cold_late``: a chilled or frozen parcel not delivered by its promised time.

"Now" is ``yipin.clock``; the job ``fulfillment.routing.jobs.tick`` runs it on schedule.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models.reference import StorageClass
from fulfillment.routing.models import MOVING, Shipment, ShipmentStatus, SlaFlag, SlaKind
from yipin import clock

OUT_OF_COUNTY_WITHIN = timedelta(hours=24)
SILENT_AFTER = timedelta(hours=48)


def breaches(session: Session, now: datetime) -> dict[SlaKind, list[tuple[int, int]]]:
    """(shipment id, supplier id) of the parcels breaking each SLA at ``now``."""
    out: dict[SlaKind, list[tuple[int, int]]] = {}
    out[SlaKind.NOT_OUT_OF_COUNTY] = [
        (r[0], r[1])
        for r in session.execute(
            sa.select(Shipment.id, Shipment.supplier_id).where(
                Shipment.origin_is_rural.is_(True),
                Shipment.collected_at <= now - OUT_OF_COUNTY_WITHIN,
                Shipment.out_of_county_at.is_(None),
                Shipment.delivered_at.is_(None),
                Shipment.status != ShipmentStatus.VOIDED,
                sa.func.substr(Shipment.destination_region_code, 1, 6)
                != Shipment.origin_county_code,
            )
        ).all()
    ]
    out[SlaKind.SILENT] = [
        (r[0], r[1])
        for r in session.execute(
            sa.select(Shipment.id, Shipment.supplier_id).where(
                Shipment.status.in_([*MOVING, ShipmentStatus.PROBLEM]),
                Shipment.last_event_at <= now - SILENT_AFTER,
            )
        ).all()
    ]
    out[SlaKind.COLD_LATE] = [
        (r[0], r[1])
        for r in session.execute(
            sa.select(Shipment.id, Shipment.supplier_id).where(
                Shipment.storage_class != StorageClass.AMBIENT,
                Shipment.delivered_at.is_(None),
                Shipment.promised_at < now,
                Shipment.status.not_in([ShipmentStatus.VOIDED, ShipmentStatus.RETURNED]),
            )
        ).all()
    ]
    return out


def run(session: Session) -> dict[str, int]:
    """Raise the flags due now and clear those whose parcel recovered (flushes)."""
    now = clock.now()
    found = breaches(session, now)
    flags = {
        (f.shipment_id, SlaKind(f.kind)): f
        for f in session.scalars(
            sa.select(SlaFlag).where(
                sa.or_(
                    SlaFlag.resolved_at.is_(None),
                    SlaFlag.shipment_id.in_([s for rows in found.values() for s, _ in rows] or [0]),
                )
            )
        )
    }
    raised = 0
    due = set()
    for kind, rows in found.items():
        for shipment_id, supplier_id in rows:
            due.add((shipment_id, kind))
            flag = flags.get((shipment_id, kind))
            if flag is None:
                session.add(
                    SlaFlag(
                        shipment_id=shipment_id, supplier_id=supplier_id, kind=kind, raised_at=now
                    )
                )
                raised += 1
            elif flag.resolved_at is not None and kind != SlaKind.NOT_OUT_OF_COUNTY:
                flag.resolved_at = None
                flag.raised_at = now
                raised += 1
    cleared = 0
    for key, flag in flags.items():
        if flag.resolved_at is None and key not in due:
            flag.resolved_at = now
            cleared += 1
    session.flush()
    return {"raised": raised, "cleared": cleared}
