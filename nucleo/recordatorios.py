"""(Provisional: lo reemplaza el programador de recordatorios completo.)"""

from __future__ import annotations

from typing import Any


class ProgramadorRecordatorios:
    def __init__(self, config: Any, almacen: Any, reloj: Any, despachador: Any, textos: Any,
                 contenido: Any, job_queue: Any) -> None:
        self.config = config

    async def iniciar(self) -> None:
        pass

    async def detener(self) -> None:
        pass
