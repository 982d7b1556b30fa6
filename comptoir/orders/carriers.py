"""Carriers a seller can ship with. Events of every carrier arrive through one service,
``services.tracking_event_record``; the sandbox carrier's events come from its sweep
(``sandbox.py``), a real carrier's from its webhook calling that same service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from comptoir.core.registry import Registry

SANDBOX = "sandbox"


@dataclass(frozen=True)
class Carrier:
    code: str
    name: Any  # lazily translated when it needs translating
    tracking_url: str = ""  # with {number}

    def url_for(self, tracking_number: str) -> str:
        return self.tracking_url.format(number=tracking_number) if self.tracking_url else ""


carriers: Registry[Carrier] = Registry("carriers")

for _carrier in (
    Carrier(SANDBOX, _("Comptoir Express (sandbox)")),
    Carrier("cainiao", "Cainiao", "https://global.cainiao.com/detail.htm?mailNoList={number}"),
    Carrier("yanwen", "Yanwen", "https://track.yw56.com.cn/en/querydel?nums={number}"),
    Carrier("4px", "4PX", "https://track.4px.com/#/result/0/{number}"),
    Carrier(
        "colissimo", "Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code={number}"
    ),
    Carrier(
        "chronopost",
        "Chronopost",
        "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={number}",
    ),
    Carrier("dhl", "DHL", "https://www.dhl.com/fr-fr/home/tracking.html?tracking-id={number}"),
    Carrier("ups", "UPS", "https://www.ups.com/track?tracknum={number}"),
):
    carriers.register(_carrier.code, _carrier)


def carrier_choices() -> list[tuple[str, str]]:
    return [(code, str(carrier.name)) for code, carrier in carriers.items()]


def carrier_name(code: str) -> str:
    return str(carriers.get(code).name) if code in carriers else code
