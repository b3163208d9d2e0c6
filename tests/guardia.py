"""La guardia de errores: junta lo que llega al logger raíz con nivel ERROR o más durante una
prueba. La fixture automática `guardia_de_errores` (conftest) la instala en cada prueba y la
hace fallar si vio algo que la prueba no declaró con `@pytest.mark.error_esperado`."""

from __future__ import annotations

import logging

MARCA_ERROR_ESPERADO = "error_esperado"


class _Capturador(logging.Handler):
    """Guarda los registros de nivel ERROR o más que llegan al logger raíz."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.registros: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.registros.append(record)


class GuardiaDeErrores:
    """Lo que la guardia vio durante una prueba. `informe()` es el motivo por el que fallaría
    (vacío si no vio nada); `olvidar()` descarta lo visto (solo para probar la guardia)."""

    def __init__(self) -> None:
        self._capturador = _Capturador()

    @property
    def registros(self) -> list[logging.LogRecord]:
        return list(self._capturador.registros)

    def olvidar(self) -> None:
        self._capturador.registros.clear()

    def informe(self, perdonados: tuple[str, ...] = ()) -> str:
        """Los registros vistos, uno por línea, menos los de los loggers `perdonados`."""
        return "\n".join(_describir(r) for r in self._capturador.registros
                         if not any(r.name == p or r.name.startswith(p + ".")
                                    for p in perdonados))

    def instalar(self) -> None:
        raiz = logging.getLogger()
        if self._capturador not in raiz.handlers:
            raiz.addHandler(self._capturador)

    def quitar(self) -> None:
        logging.getLogger().removeHandler(self._capturador)


def _describir(registro: logging.LogRecord) -> str:
    linea = f"{registro.levelname} {registro.name}: {registro.getMessage()}"
    if registro.exc_info and registro.exc_info[0] is not None:
        tipo, error = registro.exc_info[0], registro.exc_info[1]
        linea += f" [{tipo.__module__}.{tipo.__qualname__}: {error}]"
    return linea


VIGILADOS = ("coopera", "telegram", "apscheduler", "asyncio", "aiosqlite", "httpx", "emulador")


def loggers_ciegos() -> list[str]:
    """Loggers del bot (o de sus bibliotecas) cuyos errores la guardia no vería: no propagan a
    la raíz, están apagados o solo dejan pasar más que ERROR."""
    if logging.root.manager.disable >= logging.ERROR:
        return ["(logging.disable)"]
    return [nombre for nombre, logger in logging.Logger.manager.loggerDict.items()
            if isinstance(logger, logging.Logger) and nombre.split(".")[0] in VIGILADOS
            and (not logger.propagate or logger.disabled or logger.level > logging.ERROR)]
