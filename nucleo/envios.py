"""(Provisional: lo reemplaza la implementación completa de la cola de envíos.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EnvioNuevo:
    telegram_id: int
    texto: str
    clave: str
    botones: list[list[tuple[str, str]]] | None = None
    prioridad: int = 5


class Despachador:
    def __init__(self, config: Any, almacen: Any, reloj: Any) -> None:
        self.config, self.almacen, self.reloj = config, almacen, reloj

    async def iniciar(self) -> None:
        pass

    async def detener(self) -> None:
        pass
