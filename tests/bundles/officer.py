"""A case as an officer meets it: the employer's people and plate, a deleted shift, a threat
in the worker's own words with a photographed paper. Used by the PDF and the desk tests."""

from __future__ import annotations

import io
from typing import Any

import msgspec
from PIL import Image

from server import log_format
from server.evidence import facts as F

from . import factory as f

LONG_NOTE = (
    "El mayordomo nos dijo que si alguien se quejaba del pago de las horas extra lo mandaba de "
    "regreso a México sin pagarle la última semana, y que ya tenía la lista de los que fueron a "
    "la reunión del domingo en la iglesia; lo dijo delante de toda la cuadrilla, como a las "
    "seis de la mañana, junto a la camioneta blanca."
)


def jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (seed * 40 % 255, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def officer_log(server_key: Any, worker: Any) -> f.LogBuilder:
    """A week at the farm, then what an officer asks about: the employer's people and plate,
    the contract, a photographed contract, a deleted shift, a threat in the worker's words."""
    log = f.make_log(server_key, days=7, worker=worker)
    when = "2026-06-08T20:00:00.000Z"
    old = next(e for e in log.entries if e.get("record_id") == "emp1")
    log.append(
        {
            "time": when,
            "kind": "edit",
            "record_type": "employer",
            "record_id": "emp1",
            "data": {
                "type": "employer",
                "id": "emp1",
                "name": "Rancho Los Pinos Agrícola Internacional de la Costa Central S. de R.L.",
                "address": "Carretera 101 km 4, Salinas, CA",
                "supervisor": "Roberto «Don Beto» Salgado",
                "crew_leader": "Juan Pérez",
                "contractor": "AgriLabor Contratistas LLC",
                "plate": "7ABC123",
                "work_site": "Campo 12 (fresa), junto al canal",
                "notes": "Ñuu Savi: ndakuaa ña. Кирилл 农场",
            },
            "replaces": old["hash"],
            "reason": "datos completos",
        }
    )
    extra = log.create(
        {"type": "shift", "id": "s-dup", "job_id": "job1", "date": "2026-06-03",
         "start": "18:00", "end": "21:00", "break_minutes": 0},
        when,
    )  # fmt: skip
    log.append(
        {
            "time": when,
            "kind": "delete",
            "record_type": "shift",
            "record_id": "s-dup",
            "replaces": extra["hash"],
            "reason": "lo anoté dos veces",
        }
    )
    contract = log.photo(90, when, jpeg)
    log.create(
        {"type": "incident", "id": "inc2", "job_id": "job1", "date": "2026-06-06",
         "kind": "threat", "notes": LONG_NOTE, "from_memory": True, "photo_ids": [contract]},
        when,
    )  # fmt: skip
    return log


def honest(log: f.LogBuilder) -> dict[str, Any]:
    """Summary fields that tell what the journal says (as the phone writes them)."""
    raw = [e for e in log.entries if not e.get("withheld")]
    found = F.facts(msgspec.convert(raw, list[log_format.JournalEntry]))
    employers = [{"id": e["id"], "name": e["name"], "state": "CA"} for e in found["employers"]]
    return {"counts": found["counts"], "employers": employers}
