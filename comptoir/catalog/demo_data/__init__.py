"""Demo catalogue: five shops, fifty products with FR/EN titles, descriptions and attributes.

Each product: (key, title_fr, title_en, description_fr, description_en, price, shipping,
attributes as (name, fr, en), image motif, colour)."""

from __future__ import annotations

from . import atelier_lumiere, bijoux_du_port, maison_lin, pearl_river_gadgets, sentier_outdoor
from .shapes import P

# Shops beyond the two the accounts seeder creates: (slug, name, description, seller e-mail, name).
EXTRA_SHOPS = (
    (
        "maison-lin",
        "Maison Lin & Co",
        "Linge de maison en lin lavé, coton bio et laine, tissé au Portugal et en Chine.",
        "seller3@example.com",
        "Claire Fontaine",
    ),
    (
        "sentier-outdoor",
        "Sentier Outdoor",
        "Randonnée, camping et vélo : du matériel léger à petit prix, expédié depuis Guangzhou.",
        "seller4@example.com",
        "Marco Rossi",
    ),
    (
        "bijoux-du-port",
        "Bijoux du Port",
        "Bijoux en argent 925, acier inoxydable et perles d'eau douce, faits main à Yiwu.",
        "seller5@example.com",
        "Amina Benali",
    ),
)


PRODUCTS: dict[str, tuple[P, ...]] = {
    "atelier-lumiere": atelier_lumiere.PRODUCTS,
    "pearl-river-gadgets": pearl_river_gadgets.PRODUCTS,
    "maison-lin": maison_lin.PRODUCTS,
    "sentier-outdoor": sentier_outdoor.PRODUCTS,
    "bijoux-du-port": bijoux_du_port.PRODUCTS,
}
