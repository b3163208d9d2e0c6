"""Listas largas en páginas: qué se ve en cada una y los botones ◀️ ▶️."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from interfaz.respuestas import Boton
from nucleo.textos import Traductor

POR_PAGINA = 6
T = TypeVar("T")


def paginar(elementos: Sequence[T], pagina: int) -> tuple[Sequence[T], int, int]:
    """(los de esta página, la página corregida, cuántas páginas hay)."""
    total = max((len(elementos) + POR_PAGINA - 1) // POR_PAGINA, 1)
    pagina = min(max(pagina, 0), total - 1)
    return elementos[pagina * POR_PAGINA:(pagina + 1) * POR_PAGINA], pagina, total


def navegacion(_: Traductor, datos: str, pagina: int, total: int) -> list[Boton]:
    """◀️ ▶️ para cambiar de página; `datos` lleva {p} donde va el número de página."""
    fila = []
    if pagina > 0:
        fila.append((_("◀️ Anterior"), datos.format(p=pagina - 1)))
    if pagina < total - 1:
        fila.append((_("Siguiente ▶️"), datos.format(p=pagina + 1)))
    return fila


def pie_pagina(_: Traductor, pagina: int, total: int) -> str:
    if total <= 1:
        return ""
    return "\n\n" + _("Página {n} de {total}").format(n=pagina + 1, total=total)
