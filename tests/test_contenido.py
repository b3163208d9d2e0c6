"""El contenido real carga; cada regla de validación se prueba rompiendo una copia;
el extractor de Babel y la traducción al inglés están completos."""

from __future__ import annotations

import datetime
import io
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from nucleo.contenido import (
    MAX_BOTON,
    Contenido,
    ContenidoInvalido,
    Pregunta,
    Resultado,
    cargar_contenido,
)
from nucleo.extraccion_yaml import extraer, textos_traducibles

RAIZ = Path(__file__).resolve().parent.parent
CONTENIDO = RAIZ / "contenido"
POT = CONTENIDO / "locales" / "contenido.pot"
PO_EN = CONTENIDO / "locales" / "en" / "LC_MESSAGES" / "contenido.po"
RESULTADOS_MINIMOS = {"individual", "cooperativa", "grupo_pequeno", "capacitacion_primero"}
MARCADOR = re.compile(r"\{[a-z_]+\}")
ETIQUETA = re.compile(r"</?[bi]>")


@pytest.fixture(scope="module")
def contenido() -> Contenido:
    return cargar_contenido(CONTENIDO)


# --- El contenido real ----------------------------------------------------------------------


def test_contenido_real_carga(contenido: Contenido) -> None:
    assert len(contenido.municipios) == 217
    assert contenido.municipios.por_clave("21001").nombre == "Acajete"
    assert contenido.oficina.siglas == "SEDETRA"
    assert contenido.oficina.direccion is None
    assert contenido.oficina.telefono is None
    assert ("sitio", "https://puebla.gob.mx") in contenido.oficina.lineas_contacto()
    assert all(valor for _, valor in contenido.oficina.lineas_contacto())
    assert 6 <= len(contenido.cursos) <= 8
    assert len(contenido.privacidad.simplificado) < 900
    assert "/mis_datos" in contenido.privacidad.simplificado
    assert "/privacidad" in contenido.privacidad.simplificado
    assert contenido.privacidad.revisado == datetime.date(2026, 12, 1)


def test_resultados_con_fuentes_y_fecha(contenido: Contenido) -> None:
    orientacion = contenido.orientacion
    assert set(orientacion.resultados) >= RESULTADOS_MINIMOS
    assert orientacion.resultados["cooperativa"].siguiente_accion == "cooperativa"
    for resultado in orientacion.resultados.values():
        assert resultado.pasos and resultado.cursos
        # Lo revisado contra ../shared/referencia el 1 de diciembre lleva esa fecha; un
        # resultado que no afirma nada de leyes ni programas no lleva fuentes.
        assert (resultado.revisado == datetime.date(2026, 12, 1)) == bool(resultado.fuentes)
        resultado.texto.format(nombre="Ana", actividad="vender tamales")
    assert not orientacion.resultados["capacitacion_primero"].fuentes
    extras = {e.id: e for e in orientacion.extras}
    assert {"equipo", "tramites", "poco_tiempo"} <= set(extras)
    assert extras["equipo"].aplica({"apoyo": "equipo"})
    assert extras["equipo"].aplica({"recursos": "nada"})
    assert not extras["equipo"].aplica({"apoyo": "aprender", "recursos": "dinero"})
    assert extras["poco_tiempo"].cursos_breves


def test_sin_promesas_sin_fuente() -> None:
    """Lo que ninguna fuente respalda no está en la orientación."""
    texto = (CONTENIDO / ORI).read_text(encoding="utf-8").lower()
    for frase in ("gratis", "meta 8.5"):
        assert frase not in texto, frase


def test_textos_de_botones_caben(contenido: Contenido) -> None:
    for pregunta in contenido.orientacion.preguntas.values():
        assert all(len(o.texto) <= MAX_BOTON for o in pregunta.opciones)


def _caminos(contenido: Contenido) -> list[list[str]]:
    """Todos los caminos desde el inicio hasta un resultado."""
    orientacion = contenido.orientacion
    caminos, pendientes = [], [[orientacion.inicio]]
    while pendientes:
        camino = pendientes.pop()
        nodo = orientacion.nodo(camino[-1])
        if isinstance(nodo, Resultado):
            caminos.append(camino)
            continue
        destinos = [nodo.siguiente] if nodo.siguiente else [o.siguiente for o in nodo.opciones]
        pendientes.extend([*camino, d] for d in destinos)
    return caminos


def test_grafo_todo_resultado_alcanzable(contenido: Contenido) -> None:
    caminos = _caminos(contenido)
    finales = {camino[-1] for camino in caminos}
    assert finales == set(contenido.orientacion.resultados)
    visitados = {nodo for camino in caminos for nodo in camino}
    assert visitados >= set(contenido.orientacion.preguntas)


def test_grafo_cubre_los_temas(contenido: Contenido) -> None:
    orientacion = contenido.orientacion
    claves = {p.clave for p in orientacion.preguntas.values()}
    temas = {"actividad", "experiencia", "companeros", "personas", "recursos", "mercado"}
    assert claves >= temas | {"tiempo", "apoyo"}
    assert orientacion.nodo(orientacion.inicio).clave == "actividad"
    for camino in _caminos(contenido):
        nodos = [orientacion.nodo(n) for n in camino]
        claves_camino = [n.clave for n in nodos if isinstance(n, Pregunta)]
        # Solo llega a "cooperativa" quien dijo que son 5 o más.
        if camino[-1] == "cooperativa":
            assert "cinco_o_mas" in [
                o.id for o in orientacion.preguntas["cuantos"].opciones if o.siguiente in camino
            ]
        assert claves_camino[0] == "actividad" and "companeros" in claves_camino


def test_nodo(contenido: Contenido) -> None:
    assert isinstance(contenido.orientacion.nodo("idea"), Pregunta)
    assert isinstance(contenido.orientacion.nodo("individual"), Resultado)
    with pytest.raises(KeyError):
        contenido.orientacion.nodo("no_existe")


# --- Reglas de validación: se rompe una copia -----------------------------------------------


@pytest.fixture
def copia(tmp_path: Path) -> Path:
    destino = tmp_path / "contenido"
    shutil.copytree(CONTENIDO, destino, ignore=shutil.ignore_patterns("locales", "*.md"))
    return destino


def romper(carpeta: Path, archivo: str, viejo: str, nuevo: str, veces: int = 1) -> None:
    ruta = carpeta / archivo
    texto = ruta.read_text(encoding="utf-8")
    assert viejo in texto, viejo
    ruta.write_text(texto.replace(viejo, nuevo, veces), encoding="utf-8")


def error_de(carpeta: Path) -> ContenidoInvalido:
    with pytest.raises(ContenidoInvalido) as info:
        cargar_contenido(carpeta)
    return info.value


def comprobar(error: ContenidoInvalido, archivo: str, entrada: str, motivo: str) -> None:
    assert error.archivo.endswith(archivo), str(error)
    assert error.entrada == entrada, str(error)
    assert motivo in error.motivo, str(error)
    assert str(error) == f"{error.archivo}: {error.entrada}: {error.motivo}"


ORI, PRI, CUR, OFI = "orientacion.yaml", "privacidad.yaml", "cursos.yaml", "oficina.yaml"
MUN = "municipios.csv"


@pytest.mark.parametrize("archivo", [ORI, PRI, CUR, OFI, MUN])
def test_falta_archivo(copia: Path, archivo: str) -> None:
    (copia / archivo).unlink()
    comprobar(error_de(copia), archivo, "(archivo)", "no existe")


def test_siguiente_desconocido_mensaje_completo(copia: Path) -> None:
    romper(
        copia,
        ORI,
        '{id: ninguna, texto: "Todavía no", siguiente: capacitacion_primero}',
        '{id: ninguna, texto: "Todavía no", siguiente: xx}',
    )
    error = error_de(copia)
    assert str(error) == (
        f"{copia / ORI}: preguntas.experiencia_solo.opciones[2].siguiente: "
        "'xx' no existe; debe ser una pregunta o un resultado"
    )
    assert error.linea is not None
    linea = (copia / ORI).read_text(encoding="utf-8").splitlines()[error.linea - 1]
    assert "siguiente: xx" in linea


def test_error_de_sintaxis_yaml_con_linea(copia: Path) -> None:
    romper(copia, ORI, "  recursos:\n", "  recursos:\n    clave: [sin cerrar\n")
    error = error_de(copia)
    numero = error.linea
    assert numero is not None
    comprobar(error, ORI, f"línea {numero}", "error de formato YAML")
    assert f"línea {numero}" in error.motivo


def test_clave_repetida(copia: Path) -> None:
    romper(copia, ORI, "  tiempo:\n", "  tiempo:\n    clave: otra\n")
    error = error_de(copia)
    assert "la clave 'clave' está repetida" in error.motivo
    assert error.entrada.startswith("línea ")


# (archivo, texto viejo, texto nuevo, entrada esperada, parte del motivo)
CASOS = [
    # campos obligatorios, vacíos, desconocidos y tipos
    (ORI, "    clave: recursos\n", "", "preguntas.recursos.clave", "falta este campo"),
    (
        ORI,
        'texto: "¿Qué tienes ya para empezar?"',
        'texto: ""',
        "preguntas.recursos.texto",
        "está vacío",
    ),
    (
        ORI,
        'texto: "¿Qué tienes ya para empezar?"',
        "texto:",
        "preguntas.recursos.texto",
        "está vacío",
    ),
    (
        ORI,
        'texto: "¿Qué tienes ya para empezar?"',
        "texto: 123",
        "preguntas.recursos.texto",
        "debe ser texto",
    ),
    (
        ORI,
        'texto: "¿Qué tienes ya para empezar?"',
        "texto: [a, b]",
        "preguntas.recursos.texto",
        "debe ser un texto",
    ),
    (
        ORI,
        "    clave: recursos\n",
        "    clave: recursos\n    sigiente: tiempo\n",
        "preguntas.recursos.sigiente",
        "campo desconocido",
    ),
    (
        ORI,
        "    clave: tiempo\n    tipo: opciones",
        "    clave: tiempo\n    tipo: botones",
        "preguntas.tiempo.tipo",
        "no es válido",
    ),
    (
        ORI,
        "    tipo: texto\n",
        "    tipo: texto\n    opciones: []\n",
        "preguntas.idea.opciones",
        "no lleva opciones",
    ),
    (ORI, "    siguiente: recursos\n", "", "preguntas.idea.siguiente", "falta este campo"),
    (
        ORI,
        '{id: dinero, texto: "Algo de dinero", siguiente: tiempo}',
        '{id: dinero, texto: "Algo de dinero", siguiente: tiempo, otro: x}',
        "preguntas.recursos.opciones[0].otro",
        "campo desconocido",
    ),
    (
        ORI,
        "  recursos:\n",
        "  recursos:\n    siguiente: tiempo\n",
        "preguntas.recursos.siguiente",
        "no lleva 'siguiente'",
    ),
    (ORI, "inicio: idea", "inicio: individual", "inicio", "debe ser una pregunta"),
    (ORI, "inicio: idea", "inicio: Idea", "inicio", "no sirve como id"),
    (ORI, "  mercado_coop:\n", "  Mercado-Coop:\n", "preguntas.Mercado-Coop", "no sirve como id"),
    (ORI, "{id: lugar,", "{id: no,", "extras.con_recursos.cuando.recursos[2]",
     "'lugar' no es una opción"),  # "no" es un id válido; el extra ya no lo encuentra
    (ORI, "{id: dinero,", "{id: true,", "preguntas.recursos.opciones[0].id", "no sirve como id"),
    # opciones
    (
        ORI,
        "{id: herramientas,",
        "{id: dinero,",
        "preguntas.recursos.opciones[1].id",
        "está repetido",
    ),
    (
        ORI,
        'texto: "Algo de dinero"',
        'texto: "' + "Algo de dinero para empezar mi negocio ya" + '"',
        "preguntas.recursos.opciones[0].texto",
        "el máximo es 40",
    ),
    (
        ORI,
        'texto: "Algo de dinero"',
        'texto: "<b>Dinero</b>"',
        "preguntas.recursos.opciones[0].texto",
        "va en un botón",
    ),
    (
        ORI,
        '      - {id: completo, texto: "Todo el día", siguiente: apoyo}\n'
        '      - {id: medio, texto: "Medio día", siguiente: apoyo}\n',
        "",
        "preguntas.tiempo.opciones",
        "por lo menos 2",
    ),
    # largo y marcadores
    (ORI, "Esta información es una guía.", "x" * 3501, "aviso_guia", "el máximo es 3500"),
    (
        ORI,
        "{nombre}, tu idea: <i>{actividad}</i>.\n      Puedes empezar",
        "{nombre}, tu idea: <i>{edad}</i>.\n      Puedes empezar",
        "resultados.individual.texto",
        "el marcador {edad} no está permitido",
    ),
    (
        ORI,
        "¿Qué tienes ya para empezar?",
        "{nombre}, ¿qué tienes?",
        "preguntas.recursos.texto",
        "no se permiten marcadores",
    ),
    (
        ORI,
        "{nombre}, tu idea: <i>{actividad}</i>.\n      Puedes empezar",
        "{nombre, tu idea.\n      Puedes empezar",
        "resultados.individual.texto",
        "llave",
    ),
    (
        ORI,
        "Haz una lista de lo que necesitas",
        "Haz } una lista",
        "resultados.individual.pasos[0]",
        "llave",
    ),
    (
        PRI,
        "{oficina} cuida tus datos",
        "{nombre} cuida tus datos",
        "simplificado",
        "el marcador {nombre} no está permitido",
    ),
    (
        PRI,
        "{oficina} cuida tus datos",
        "{oficina!r} cuida tus datos",
        "simplificado",
        "no está permitido",
    ),
    # HTML
    (
        ORI,
        "<b>Date de alta en el SAT.</b>",
        "<u>Date de alta</u>",
        "resultados.individual.texto",
        "no está permitida",
    ),
    (
        ORI,
        "<b>Date de alta en el SAT.</b>",
        "<b>Date de alta",
        "resultados.individual.texto",
        "falta cerrar la etiqueta <b>",
    ),
    (
        ORI,
        "<b>Date de alta en el SAT.</b>",
        "Date</i> de alta",
        "resultados.individual.texto",
        "cierra algo que no está abierto",
    ),
    (
        ORI,
        "<b>Date de alta en el SAT.</b>",
        "<b><i>Date</b></i>",
        "resultados.individual.texto",
        "cierra algo que no está abierto",
    ),
    (
        ORI,
        "<b>Date de alta en el SAT.</b>",
        "Costos & precios",
        "resultados.individual.texto",
        "&amp;",
    ),
    (
        ORI,
        "<b>Date de alta en el SAT.</b>",
        "menos de 5 < 6",
        "resultados.individual.texto",
        "&lt;",
    ),
    (ORI, "<b>Date de alta en el SAT.</b>", "más de 6 > 5", "resultados.individual.texto", "&gt;"),
    (
        ORI,
        "<b>Date de alta en el SAT.</b>",
        "a&nbsp;b",
        "resultados.individual.texto",
        "Telegram no acepta &nbsp;",
    ),
    (
        ORI,
        "<b>Date de alta en el SAT.</b>",
        '<b class="x">Date</b>',
        "resultados.individual.texto",
        "no está permitida",
    ),
    (ORI, "<b>Date de alta en el SAT.</b>", "Costos &amp; precios &lt;3", None, None),  # válido
    (
        ORI,
        'titulo: "Primero, aprender"',
        'titulo: "<b>Primero</b>"',
        "resultados.capacitacion_primero.titulo",
        "va en un botón o en un título",
    ),
    # grafo
    (
        ORI,
        "  mercado_coop:\n",
        "  huerfana:\n    clave: x\n    tipo: texto\n    texto: Hola\n"
        "    siguiente: individual\n  mercado_coop:\n",
        "preguntas.huerfana",
        "no se llega aquí desde el inicio",
    ),
    (
        ORI,
        "resultados:\n",
        "resultados:\n  suelto:\n    titulo: T\n    texto: Hola\n"
        "    pasos: [Uno]\n    siguiente_accion: ninguna\n    fuentes: [Una fuente]\n"
        "    revisado: 2026-11-25\n",
        "resultados.suelto",
        "no se llega aquí desde el inicio",
    ),
    (
        ORI,
        '{id: si, texto: "Sí, ya tengo clientes", siguiente: individual}',
        '{id: si, texto: "Sí, ya tengo clientes", siguiente: recursos}',
        "preguntas.mercado_solo.opciones[0].siguiente",
        "forma un ciclo",
    ),
    (
        ORI,
        "    siguiente: recursos\n",
        "    siguiente: idea\n",
        "preguntas.idea.siguiente",
        "forma un ciclo (idea → idea)",
    ),
    (
        ORI,
        "resultados:\n",
        "resultados:\n  idea:\n    titulo: T\n    texto: Hola\n"
        "    pasos: [Uno]\n    siguiente_accion: ninguna\n    fuentes: [Una fuente]\n"
        "    revisado: 2026-11-25\n",
        "resultados.idea",
        "ya es de una pregunta",
    ),
    # resultados
    (
        ORI,
        "siguiente_accion: cooperativa",
        "siguiente_accion: llamar",
        "resultados.cooperativa.siguiente_accion",
        "cursos, cooperativa, ninguna",
    ),
    (
        ORI,
        "revisado: 2026-12-01\n\n  cooperativa:",
        "revisado: ayer\n\n  cooperativa:",
        "resultados.individual.revisado",
        "no es una fecha",
    ),
    (
        ORI,
        "revisado: 2026-12-01\n\n  cooperativa:",
        "revisado: 2026-13-01\n\n  cooperativa:",
        "resultados.individual.revisado",
        "no es una fecha",
    ),
    (
        ORI,
        "revisado: 2026-12-01\n\n  cooperativa:",
        "revisado: 20261201\n\n  cooperativa:",
        "resultados.individual.revisado",
        "no es una fecha",
    ),
    (
        ORI,
        '    pasos:\n      - "Elige un curso',
        '    pasos: []\n    x:\n      - "Elige un curso',
        "resultados.capacitacion_primero.x",
        "campo desconocido",
    ),
    (
        ORI,
        '      - "Ley del Impuesto sobre la Renta, art. 113-E (RESICO):',
        '      - "<b>Ley</b> del Impuesto sobre la Renta, art. 113-E (RESICO):',
        "resultados.grupo_pequeno.fuentes[1]",
        "se muestra tal cual",
    ),
    # cursos nombrados, extras y pantallas
    (ORI, "cursos: [coop_basico, coop_formar]", "cursos: [coop_basico, Coop-Nada]",
     "resultados.cooperativa.cursos[1]", "no sirve como id"),
    (ORI, "cursos: [coop_basico, coop_formar]",
     "cursos: [coop_basico, coop_formar, eco_solidaria, plan_negocio, cuentas_sat]",
     "resultados.cooperativa.cursos", "el máximo es 4"),
    (ORI, "cuando: {tiempo: [ratos]}", "cuando: {horas: [ratos]}",
     "extras.poco_tiempo.cuando.horas", "no es la clave de una pregunta con opciones"),
    (ORI, "cuando: {tiempo: [ratos]}", "cuando: {actividad: [ratos]}",
     "extras.poco_tiempo.cuando.actividad", "no es la clave de una pregunta con opciones"),
    (ORI, "cuando: {tiempo: [ratos]}", "cuando: {tiempo: [poco]}",
     "extras.poco_tiempo.cuando.tiempo[0]", "'poco' no es una opción"),
    (ORI, "cuando: {tiempo: [ratos]}", "cuando: {}", "extras.poco_tiempo.cuando",
     "por lo menos una entrada"),
    (ORI, "cursos: [costos_precios, vender_internet]", "cursos: [Vender-Todo]",
     "extras.vender.cursos[0]", "no sirve como id"),
    (ORI, "cursos_breves: 6", "cursos_breves: seis", "extras.poco_tiempo.cursos_breves",
     "número entero"),
    (ORI, "    revisado: 2026-12-01\n\n  con_recursos:", "\n  con_recursos:",
     "extras.equipo.revisado", "falta la fecha"),
    (ORI, "    revisado: 2026-12-01\n\n  cooperativa:", "\n  cooperativa:",
     "resultados.individual.revisado", "falta la fecha"),
    (ORI, "<b>Lo que ya tienes.</b> Empieza con eso.", "<b>Lo que ya tienes.</b>" + " x" * 460,
     "extras.con_recursos.texto", "el máximo es 900"),
    (ORI, "Puedes empezar a trabajar por tu cuenta.",
     "Puedes empezar a trabajar por tu cuenta." + " x" * 460,
     "resultados.individual.texto", "el máximo es 900"),
    # privacidad
    (
        PRI,
        "Aviso completo: /privacidad",
        "Aviso completo: /privacidad" + " más texto" * 50,
        "simplificado",
        "el máximo es 900",
    ),
    (
        PRI,
        '  - titulo: "Datos sensibles"',
        '  - titulo: "Datos sensibles"\n    extra: 1',
        "integral[3].extra",
        "campo desconocido",
    ),
    (PRI, "revisado: 2026-12-01", "revisado: pronto", "revisado", "no es una fecha"),
    # oficina
    (OFI, 'sitio: "https://puebla.gob.mx"', 'sitio: "puebla.gob.mx"', "sitio", "https://"),
    (OFI, "correo: null ", 'correo: "sin arroba" ', "correo", "no parece un correo"),
    (OFI, 'siglas: "SEDETRA"', "siglas:", "siglas", "está vacío"),
    (OFI, 'nombre: "Secretaría', 'nombre: "<b>Secretaría</b>', "nombre", "se muestra tal cual"),
    (OFI, "telefono: null ", 'telefono: "222 & 333" ', None, None),  # tal cual: & es válido
    # cursos
    (CUR, "  - id: coop_formar", "  - id: coop_basico", "cursos[1].id", "ya lo usa otro curso"),
    (CUR, "tema: digital", "tema: computacion", "cursos[6].tema", "no es válido"),
    (CUR, "modalidad: en_linea", "modalidad: virtual", "cursos[2].modalidad", "no es válido"),
    (CUR, "  - id: coop_basico", "  - id: Coop-Basico", "cursos[0].id", "no sirve como id"),
    (
        CUR,
        "  - id: coop_basico",
        "  - id: cooperativismo_basico",
        "cursos[0].id",
        "no sirve como id",
    ),
    (CUR, "duracion_horas: 8", "duracion_horas: 0", "cursos[0].duracion_horas", "número entero"),
    (CUR, "duracion_horas: 8", "duracion_horas: ocho", "cursos[0].duracion_horas", "número entero"),
    (
        CUR,
        'nombre: "Costos y precios"',
        'nombre: "Costos & precios"',
        "cursos[3].nombre",
        "va en un botón",
    ),
    (
        CUR,
        '    requisitos: "Ninguno."\n    modalidad: en_linea',
        "    modalidad: en_linea",
        "cursos[2].requisitos",
        "falta este campo",
    ),
]


@pytest.mark.parametrize(("archivo", "viejo", "nuevo", "entrada", "motivo"), CASOS)
def test_regla_de_validacion(
    copia: Path, archivo: str, viejo: str, nuevo: str, entrada: str | None, motivo: str | None
) -> None:
    romper(copia, archivo, viejo, nuevo)
    if entrada is None:
        cargar_contenido(copia)
        return
    comprobar(error_de(copia), archivo, entrada, motivo)


def _filas_csv(copia: Path) -> list[str]:
    return (copia / MUN).read_text(encoding="utf-8").splitlines()


def _escribir_csv(copia: Path, filas: list[str]) -> None:
    (copia / MUN).write_text("\n".join(filas) + "\n", encoding="utf-8")


def test_csv_encabezado(copia: Path) -> None:
    filas = _filas_csv(copia)
    _escribir_csv(copia, ["clave_inegi;nombre;region", *filas[1:]])
    comprobar(error_de(copia), MUN, "línea 1", "el encabezado debe ser clave_inegi,nombre,region")


@pytest.mark.parametrize(
    ("fila", "motivo"),
    [
        ("2101,Acajete,", "debe tener 5 dígitos y empezar con 21"),
        ("22001,Acajete,", "debe tener 5 dígitos y empezar con 21"),
        ("21002,Acajete,", "la clave 21002 está repetida"),
        ("21001,Acateno,", "el nombre 'Acateno' está repetido"),
        ("21001,,", "falta el nombre"),
        ("21001,Acajete", "debe tener 3 columnas"),
    ],
)
def test_csv_fila_mala(copia: Path, fila: str, motivo: str) -> None:
    filas = _filas_csv(copia)
    filas[1] = fila
    _escribir_csv(copia, filas)
    error = error_de(copia)
    linea = 2 if "repetid" not in motivo else 3
    comprobar(error, MUN, f"línea {linea}", motivo)
    assert error.linea == linea


@pytest.mark.parametrize("cambio", ["quitar", "agregar"])
def test_csv_deben_ser_217(copia: Path, cambio: str) -> None:
    filas = _filas_csv(copia)
    filas = filas[:-1] if cambio == "quitar" else [*filas, "21218,Nuevo Municipio,"]
    _escribir_csv(copia, filas)
    esperado = "hay 216 municipios" if cambio == "quitar" else "hay 218 municipios"
    comprobar(error_de(copia), MUN, "(archivo)", esperado)


def test_csv_no_utf8(copia: Path) -> None:
    texto = (copia / MUN).read_text(encoding="utf-8")
    (copia / MUN).write_bytes(texto.encode("latin-1"))
    comprobar(error_de(copia), MUN, "(archivo)", "UTF-8")


def test_csv_con_bom_y_region(copia: Path) -> None:
    filas = _filas_csv(copia)
    filas[1] = "21001,Acajete,Valle de Serdán"
    (copia / MUN).write_text("\ufeff" + "\n".join(filas) + "\n", encoding="utf-8")
    contenido = cargar_contenido(copia)
    assert contenido.municipios.por_clave("21001").region == "Valle de Serdán"


# --- Extractor de Babel ---------------------------------------------------------------------


def test_extractor_da_textos_con_linea() -> None:
    texto = (CONTENIDO / ORI).read_text(encoding="utf-8")
    lineas = texto.splitlines()
    extraidos = list(textos_traducibles(texto))
    por_entrada = {entrada: (linea, msg) for linea, entrada, msg in extraidos}
    linea, msg = por_entrada["aviso_guia"]
    assert msg == "Esta información es una guía. Una persona asesora te confirma los detalles."
    assert lineas[linea - 1].startswith("aviso_guia:")
    linea, msg = por_entrada["preguntas.recursos.opciones[0].texto"]
    assert msg == "Algo de dinero" and "Algo de dinero" in lineas[linea - 1]
    linea, msg = por_entrada["resultados.individual.pasos[0]"]
    assert msg in lineas[linea - 1]
    linea, _ = por_entrada["preguntas.idea.texto"]
    assert lineas[linea - 1].strip() == "texto: |-"
    mensajes = {msg for _, _, msg in extraidos}
    for no_va in (
        "idea",
        "experiencia_solo",
        "actividad",
        "opciones",
        "cursos",
        "2026-11-25",
        "https://www.gob.mx/sat",
    ):
        assert no_va not in mensajes
    assert not any(
        e.endswith(("siguiente", ".clave", ".tipo", ".id", "revisado"))
        or (".fuentes" in e and not e.startswith(("resultados.", "extras.")))
        or e.endswith("siguiente_accion")
        for e in por_entrada
    )


def test_extraer_para_babel() -> None:
    with (CONTENIDO / ORI).open("rb") as archivo:
        resultados = list(extraer(archivo, ["_"], [], {}))
    _, funcion, mensaje, comentarios = resultados[0]
    assert funcion is None
    assert mensaje == "Esta información es una guía. Una persona asesora te confirma los detalles."
    assert comentarios[0].endswith("orientacion.yaml:aviso_guia")
    vacio = list(extraer(io.BytesIO(b""), ["_"], [], {}))
    assert vacio == []


def _textos_cargados(contenido: Contenido) -> set[str]:
    """Todos los textos que el bot traduce, tal como los carga."""
    textos = {
        contenido.orientacion.aviso_guia,
        contenido.privacidad.simplificado,
        contenido.oficina.nombre,
    }
    for pregunta in contenido.orientacion.preguntas.values():
        textos |= {pregunta.texto, *(o.texto for o in pregunta.opciones)}
        textos |= {pregunta.ayuda} if pregunta.ayuda else set()
    for resultado in contenido.orientacion.resultados.values():
        textos |= {resultado.titulo, resultado.texto, *resultado.pasos, *resultado.fuentes}
    for extra in contenido.orientacion.extras:
        textos |= {extra.texto, *extra.fuentes}
    for seccion in contenido.privacidad.integral:
        textos |= {seccion.titulo, seccion.texto}
    for curso in contenido.cursos:
        textos |= {curso.nombre, curso.descripcion, curso.requisitos}
    return textos


def _catalogo(ruta: Path) -> dict[str, object]:
    with ruta.open("rb") as archivo:
        return {m.id: m for m in read_po(archivo) if m.id}


def test_pot_al_dia_con_el_contenido(contenido: Contenido) -> None:
    """Si falla: volver a extraer (ver contenido/LEEME.md)."""
    extraidos = set()
    for archivo in (ORI, PRI, CUR, OFI, "cooperativa.yaml"):
        texto = (CONTENIDO / archivo).read_text(encoding="utf-8")
        extraidos |= {msg for _, _, msg in textos_traducibles(texto)}
    assert set(_catalogo(POT)) == extraidos
    assert _textos_cargados(contenido) <= extraidos


def test_traduccion_inglesa_completa() -> None:
    plantilla = _catalogo(POT)
    ingles = _catalogo(PO_EN)
    for msgid in plantilla:
        assert msgid in ingles, msgid
        mensaje = ingles[msgid]
        assert mensaje.string.strip(), msgid
        assert "fuzzy" not in mensaje.flags, msgid
        assert sorted(MARCADOR.findall(mensaje.string)) == sorted(MARCADOR.findall(msgid)), msgid
        assert ETIQUETA.findall(mensaje.string) == ETIQUETA.findall(msgid), msgid


def test_botones_en_ingles_caben(contenido: Contenido) -> None:
    ingles = _catalogo(PO_EN)
    for pregunta in contenido.orientacion.preguntas.values():
        for opcion in pregunta.opciones:
            assert len(ingles[opcion.texto].string) <= MAX_BOTON, opcion.texto


def test_catalogo_ingles_sin_errores_de_formato() -> None:
    with PO_EN.open("rb") as archivo:
        catalogo = read_po(archivo)
    assert list(catalogo.check()) == []


# --- El catálogo de cursos es de ejemplo ----------------------------------------------------


def test_el_catalogo_de_cursos_esta_marcado_como_ejemplo(copia: Path) -> None:
    """Los ocho cursos son inventados: el archivo lo dice. Solo entran a la base en modo local
    y en las pruebas (nucleo/catalogo.py avisa al sembrarlos; ver tests/test_catalogo.py)."""
    texto = (CONTENIDO / CUR).read_text(encoding="utf-8")
    assert "ESTOS CURSOS SON UN EJEMPLO" in texto and "\nejemplo: true\n" in texto
    assert cargar_contenido(copia).cursos_de_ejemplo
    romper(copia, CUR, "\nejemplo: true\n", "\n")
    assert not cargar_contenido(copia).cursos_de_ejemplo


def test_ejemplo_debe_ser_si_o_no(copia: Path) -> None:
    romper(copia, CUR, "\nejemplo: true\n", "\nejemplo: quizas\n")
    comprobar(error_de(copia), CUR, "ejemplo", "usa true o false")
