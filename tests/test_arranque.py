"""Arrancar: errores de configuración y de contenido claros, modo local y registro sin token."""

import asyncio
import io
import logging
import os
import shutil
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from nucleo.configuracion import Configuracion, ConfiguracionInvalida

RAIZ = Path(__file__).resolve().parent.parent


def _correr_bot(tmp_path: Path, entorno: dict[str, str], *argumentos: str,
                entrada: str = "") -> subprocess.CompletedProcess:
    limpio = {k: v for k, v in os.environ.items()
              if not k.startswith(("TELEGRAM_", "COOPERA_"))}
    return subprocess.run(
        [sys.executable, str(RAIZ / "bot.py"), *argumentos], cwd=tmp_path,
        env={**limpio, **entorno}, input=entrada, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize("token", ["", "no-es-un-token", "123456 ABC", "abc:def"])
def test_token_faltante_o_malo_explica_que_hacer(tmp_path: Path, token: str) -> None:
    resultado = _correr_bot(tmp_path, {"TELEGRAM_BOT_TOKEN": token})
    assert resultado.returncode == 2
    assert "Traceback" not in resultado.stderr
    assert "TELEGRAM_BOT_TOKEN" in resultado.stderr and "@BotFather" in resultado.stderr
    assert "python bot.py --local" in resultado.stderr
    if token:
        assert token not in resultado.stderr


def test_token_desde_archivo_env(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=mal formado\n", encoding="utf-8")
    resultado = _correr_bot(tmp_path, {})
    assert "no tiene la forma correcta" in resultado.stderr


def test_contenido_invalido_no_arranca_y_dice_donde(tmp_path: Path) -> None:
    contenido = tmp_path / "contenido"
    shutil.copytree(RAIZ / "contenido", contenido)
    archivo = contenido / "orientacion.yaml"
    archivo.write_text(archivo.read_text(encoding="utf-8").replace(
        "siguiente: experiencia_solo", "siguiente: no_existe"), encoding="utf-8")
    resultado = _correr_bot(tmp_path, {"TELEGRAM_BOT_TOKEN": "123:abc",
                                       "COOPERA_CONTENIDO": str(contenido)})
    assert resultado.returncode == 2
    assert "Traceback" not in resultado.stderr
    assert "orientacion.yaml" in resultado.stderr and "no_existe" in resultado.stderr
    assert "companeros" in resultado.stderr


@pytest.mark.parametrize(("variable", "valor"), [
    ("COOPERA_PERSONAL", "12,abc"), ("COOPERA_ZONA_HORARIA", "Marte/Olympus"),
    ("COOPERA_IDIOMA", "fr"), ("COOPERA_RECORDATORIOS", "60,-5"),
    ("COOPERA_SILENCIO", "nueve a ocho"), ("COOPERA_ENVIOS_POR_SEGUNDO", "500"),
    ("COOPERA_REINTENTO_MAXIMO", "0"),
])
def test_configuracion_invalida_dice_que_variable(variable: str, valor: str) -> None:
    with pytest.raises(ConfiguracionInvalida, match=variable):
        Configuracion.desde_entorno({"TELEGRAM_BOT_TOKEN": "123:abc", variable: valor})


def test_configuracion_por_defecto() -> None:
    config = Configuracion.desde_entorno({"TELEGRAM_BOT_TOKEN": "123:abc"})
    assert config.ruta_bd == Path("datos/coopera.sqlite3")
    assert str(config.zona_horaria) == "America/Mexico_City"
    assert config.antelaciones_min == (1440, 60) and config.url_base is None
    assert "123:abc" not in repr(config)


def test_modo_local_en_la_terminal(tmp_path: Path) -> None:
    resultado = _correr_bot(tmp_path, {}, "--local", entrada="/start\n/salir\n")
    assert resultado.returncode == 0, resultado.stderr
    assert "Coopera Puebla" in resultado.stdout and "[1] ✅ Sí, acepto" in resultado.stdout
    assert (tmp_path / "datos" / "local.sqlite3").exists()


TOKEN = "123456789:AAEabcdefghijklmnopqrstuvwxyz012345"
SECRETO = TOKEN.split(":")[1]


@pytest.fixture
def salida_del_registro(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], str]]:
    """`configurar_registro` con el token; da una función que devuelve lo que el proceso
    escribió en stderr (el registro y lo que Python escribe por su cuenta). Al final, todo
    como estaba: los manejadores de la raíz y los ganchos de excepciones y advertencias."""
    from nucleo.registro import configurar_registro

    raiz = logging.getLogger()
    antes = (raiz.handlers[:], raiz.level, logging.getLogger("httpx").level,
             logging.getLogger("apscheduler").level)
    ganchos = (sys.excepthook, threading.excepthook, sys.unraisablehook)
    configurar_registro([TOKEN])
    registro = io.StringIO()  # el stderr que vio basicConfig no es el de esta prueba
    for manejador in raiz.handlers:
        manejador.setStream(registro)
    try:
        yield lambda: registro.getvalue() + capsys.readouterr().err
    finally:
        logging.captureWarnings(False)
        sys.excepthook, threading.excepthook, sys.unraisablehook = ganchos
        for manejador in raiz.handlers[:]:
            raiz.removeHandler(manejador)
        for manejador in antes[0]:
            raiz.addHandler(manejador)
        raiz.setLevel(antes[1])
        logging.getLogger("httpx").setLevel(antes[2])
        logging.getLogger("apscheduler").setLevel(antes[3])


def _token_rechazado() -> Exception:
    """Como lo lanza PTB: el token completo en el mensaje, encadenado a otra excepción."""
    try:
        try:
            raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe: 401")
        except RuntimeError as causa:
            raise ValueError(f"The token `{TOKEN}` was rejected by the server.") from causa
    except ValueError as error:
        return error


@pytest.mark.error_esperado  # registra errores a propósito, para ver que tapa el token
def test_el_registro_tapa_el_token(salida_del_registro: Callable[[], str]) -> None:
    logging.getLogger("telegram.ext").warning("POST https://api.telegram.org/bot%s/getMe", TOKEN)
    logging.getLogger("otro").error("falló con 987654321:%s", "B" * 35)
    salida = salida_del_registro()
    assert TOKEN not in salida and "B" * 35 not in salida
    assert salida.count("<token>") == 2
    assert logging.getLogger("httpx").level == logging.WARNING


@pytest.mark.error_esperado  # registra errores a propósito, para ver que tapa el token
def test_el_registro_tapa_el_token_en_trazas_y_pilas(
        salida_del_registro: Callable[[], str]) -> None:
    error = _token_rechazado()
    logging.getLogger("telegram.ext").error("falló", exc_info=error)
    logging.getLogger("py.cualquiera").info("%r", error)
    salida = salida_del_registro()
    assert "was rejected by the server" in salida and "Traceback" in salida
    assert SECRETO not in salida


@pytest.mark.error_esperado  # provoca errores sin atrapar a propósito (excepthook, asyncio)
async def test_lo_que_python_y_asyncio_escriben_solos_va_tapado(
        salida_del_registro: Callable[[], str]) -> None:
    error = _token_rechazado()
    sys.excepthook(type(error), error, error.__traceback__)  # lo que nadie atrapó

    def fallar() -> None:
        raise error

    hilo = threading.Thread(target=fallar)
    hilo.start()
    hilo.join()
    asyncio.get_running_loop().call_exception_handler(
        {"message": "Task exception was never retrieved", "exception": error})
    warnings.warn(f"algo con {TOKEN}", UserWarning, stacklevel=1)
    salida = salida_del_registro()
    assert salida.count("ValueError: The token `<token>` was rejected by the server.") == 3
    assert "algo con <token>" in salida
    assert SECRETO not in salida
