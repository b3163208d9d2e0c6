"""La hora, inyectable: el bot pide la hora al reloj, y las pruebas le dan uno que controlan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Reloj:
    """Reloj real: la hora del sistema, siempre con zona (UTC)."""

    def ahora(self) -> datetime:
        return datetime.now(UTC)


class RelojFijo(Reloj):
    """Reloj de pruebas: solo avanza cuando se le pide."""

    def __init__(self, inicio: datetime) -> None:
        if inicio.tzinfo is None:
            raise ValueError("El reloj necesita una hora con zona horaria")
        self._ahora = inicio

    def ahora(self) -> datetime:
        return self._ahora

    def avanzar(self, **tiempo: float) -> datetime:
        self._ahora += timedelta(**tiempo)
        return self._ahora

    def fijar(self, momento: datetime) -> None:
        self._ahora = momento
