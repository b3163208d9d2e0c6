"""Las flechas entre carpetas van hacia abajo, y no hay importaciones escondidas.

    bot.py, aplicacion.py  →  handlers/, conversaciones/  →  interfaz/  →  nucleo/

Se leen los archivos con `ast` (sin importarlos): una importación dentro de una función
cuenta igual que una de arriba.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parent.parent
CAPAS = ("nucleo", "interfaz", "handlers", "conversaciones")
# Qué no puede importar cada carpeta.
PROHIBIDO = {
    "nucleo": {"interfaz", "handlers", "conversaciones", "aplicacion", "bot", "emulador"},
    "interfaz": {"handlers", "conversaciones", "aplicacion", "bot", "emulador"},
    "handlers": {"conversaciones", "aplicacion", "bot", "emulador"},
    "conversaciones": {"handlers", "aplicacion", "bot", "emulador"},
}
# Importaciones dentro de funciones que sí tienen razón de ser: una dependencia opcional.
PERMITIDAS_ADENTRO = {("bot.py", "emulador")}


def _modulos(carpeta: str) -> list[Path]:
    return sorted((RAIZ / carpeta).rglob("*.py"))


def _importaciones(ruta: Path) -> list[tuple[str, int, bool]]:
    """(módulo importado, línea, si está dentro de una función o clase)."""
    arbol = ast.parse(ruta.read_text(encoding="utf-8"))
    encontradas = []
    adentro = {id(n) for f in ast.walk(arbol)
               if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
               for n in ast.walk(f) if n is not f}
    for nodo in ast.walk(arbol):
        if isinstance(nodo, ast.Import):
            nombres = [a.name for a in nodo.names]
        elif isinstance(nodo, ast.ImportFrom) and nodo.module and nodo.level == 0:
            # «from nucleo import avisos» importa el módulo nucleo.avisos.
            nombres = [nodo.module, *(f"{nodo.module}.{a.name}" for a in nodo.names)]
        else:
            continue
        encontradas += [(n, nodo.lineno, id(nodo) in adentro) for n in nombres]
    return encontradas


@pytest.mark.parametrize("capa", CAPAS)
def test_las_flechas_van_hacia_abajo(capa: str) -> None:
    malas = [f"{ruta.relative_to(RAIZ)}:{linea} importa {modulo}"
             for ruta in _modulos(capa)
             for modulo, linea, _ in _importaciones(ruta)
             if modulo.split(".")[0] in PROHIBIDO[capa]]
    assert malas == []


def test_sin_importaciones_escondidas_en_funciones() -> None:
    """Una importación dentro de una función suele esquivar un ciclo: no se vale."""
    rutas = [RAIZ / "bot.py", RAIZ / "aplicacion.py"] + [r for c in CAPAS for r in _modulos(c)]
    propias = {*CAPAS, "aplicacion", "bot", "emulador"}
    malas = [f"{ruta.relative_to(RAIZ)}:{linea} importa {modulo}"
             for ruta in rutas
             for modulo, linea, adentro in _importaciones(ruta)
             if adentro and modulo.split(".")[0] in propias
             and (str(ruta.relative_to(RAIZ)), modulo.split(".")[0]) not in PERMITIDAS_ADENTRO]
    assert malas == []


def test_sin_ciclos_entre_modulos() -> None:
    """Ningún módulo propio se importa a sí mismo por un camino de vuelta."""
    rutas = {".".join(r.relative_to(RAIZ).with_suffix("").parts): r
             for c in CAPAS for r in _modulos(c)}
    rutas = {nombre.removesuffix(".__init__"): ruta for nombre, ruta in rutas.items()}
    grafo = {nombre: {m for m, _, _ in _importaciones(ruta) if m in rutas and m != nombre}
             for nombre, ruta in rutas.items()}
    ciclos = []
    estado: dict[str, int] = {}  # 1: en el camino; 2: ya revisado

    def visitar(nombre: str, camino: list[str]) -> None:
        estado[nombre] = 1
        for siguiente in sorted(grafo[nombre]):
            if estado.get(siguiente) == 1:
                ciclos.append(" → ".join([*camino[camino.index(siguiente):], siguiente]))
            elif siguiente not in estado:
                visitar(siguiente, [*camino, siguiente])
        estado[nombre] = 2

    for nombre in sorted(grafo):
        if nombre not in estado:
            visitar(nombre, [nombre])
    assert ciclos == []


def test_la_prueba_ve_una_flecha_prohibida(tmp_path: Path) -> None:
    """La revisión no es de adorno: un núcleo que importa una pantalla se detecta."""
    malo = tmp_path / "malo.py"
    malo.write_text("def f():\n    from handlers import menu\n", encoding="utf-8")
    assert _importaciones(malo) == [("handlers", 2, True), ("handlers.menu", 2, True)]
