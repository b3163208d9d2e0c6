"""Las opciones del perfil: valores que se guardan (y se cuentan en las cifras) y su texto.

Los rangos de edad separan 15-24 años: la meta 8.5 de los ODS mide aparte a la juventud.
Discapacidad y lengua indígena son datos sensibles: siempre opcionales.
"""

from __future__ import annotations

from nucleo.textos import N_

Opciones = tuple[tuple[str, str], ...]
NO_DECIR = "no_decir"

SEXO: Opciones = (
    ("mujer", N_("Mujer")),
    ("hombre", N_("Hombre")),
    ("otra", N_("Otra identidad")),
    (NO_DECIR, N_("Prefiero no decir")),
)
EDAD: Opciones = (
    ("15_24", N_("15 a 24 años")),
    ("25_34", N_("25 a 34 años")),
    ("35_44", N_("35 a 44 años")),
    ("45_59", N_("45 a 59 años")),
    ("60_mas", N_("60 años o más")),
    (NO_DECIR, N_("Prefiero no decir")),
)
SI_NO: Opciones = (
    ("si", N_("Sí")),
    ("no", N_("No")),
    (NO_DECIR, N_("Prefiero no decir")),
)
OPCIONES = {"sexo": SEXO, "rango_edad": EDAD, "discapacidad": SI_NO, "lengua_indigena": SI_NO}


def etiqueta(campo: str, valor: str | None) -> str | None:
    """El texto (sin traducir) de un valor guardado; None si no contestó."""
    if valor is None:
        return None
    return dict(OPCIONES.get(campo, ())).get(valor, valor)


def es_valido(campo: str, valor: str) -> bool:
    return valor in dict(OPCIONES.get(campo, ()))
