from django.db import models
from django.utils.translation import gettext_lazy as _


class AttributeName(models.TextChoices):
    """The attributes buyers ask sellers about (size, colour, material…)."""

    SIZE = "size", _("Size")
    COLOUR = "colour", _("Colour")
    MATERIAL = "material", _("Material")
    DIMENSIONS = "dimensions", _("Dimensions")
    WEIGHT = "weight", _("Weight")
    POWER = "power", _("Power")
    COMPATIBILITY = "compatibility", _("Compatibility")
    CAPACITY = "capacity", _("Capacity")
    CONTENTS = "contents", _("In the box")
