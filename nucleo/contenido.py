"""Carga y valida el contenido editable de la carpeta contenido/.

El personal edita esos archivos sin programar. Por eso todo se revisa al arrancar y cualquier
error se informa con el archivo, la entrada y el motivo, en palabras simples.

Tres clases de texto (ver `_Archivo.texto`):
- HTML (casi todos): HTML de Telegram, solo <b> e <i> bien cerradas; & < > se escriben
  &amp; &lt; &gt;. Quien los muestra NO los escapa (sí escapa lo que escribe la persona
  usuaria, como {nombre} o {actividad}, antes de ponerlo en el texto).
- BOTON (textos de opciones, títulos de resultados, nombres de cursos, siglas): van en botones
  o dentro de <b>; no llevan < > & ni etiquetas.
- TAL_CUAL (datos de la oficina, fuentes): el código los escapa al mostrarlos; no llevan
  etiquetas ni entidades (&amp;), que se verían tal cual.
Solo se permiten los marcadores {...} de cada lugar (el texto de un resultado y los textos
de privacidad); todo lo demás va sin llaves.
- Los textos se guardan sin espacios al inicio ni al final (`texto_limpio`): el extractor de
  traducciones usa la misma limpieza, así el texto cargado es el msgid del catálogo.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

import yaml

from nucleo.municipios import CatalogoMunicipios, Municipio, normalizar
from nucleo.vocabulario import TEMAS, ClaseCooperativa, Modalidad

registro = logging.getLogger(__name__)

ARCHIVO_MUNICIPIOS = "municipios.csv"
ARCHIVO_ORIENTACION = "orientacion.yaml"
ARCHIVO_OFICINA = "oficina.yaml"
ARCHIVO_PRIVACIDAD = "privacidad.yaml"
ARCHIVO_CURSOS = "cursos.yaml"
ARCHIVO_COOPERATIVA = "cooperativa.yaml"

MAX_TEXTO = 3500
MAX_BOTON = 40
MAX_NOMBRE_CURSO = 60
MAX_AVISO_SIMPLIFICADO = 900
TOTAL_MUNICIPIOS = 217

MARCADORES_ORIENTACION = frozenset({"nombre", "actividad"})
# Una pantalla del resultado de la orientación en un teléfono: lo demás, tras «Ver más».
MAX_PANTALLA = 900
MAX_CURSOS_RESULTADO = 4
MARCADORES_PRIVACIDAD = frozenset({"oficina", "siglas", "contacto"})
TIPOS_PREGUNTA = ("opciones", "texto")
ACCIONES = ("cursos", "cooperativa", "ninguna")
CAMPOS_CONTACTO = ("area", "direccion", "telefono", "horario", "correo", "sitio")
HTML, BOTON, TAL_CUAL = "html", "boton", "tal_cual"
MAX_TITULO = 60
ENCABEZADO_MUNICIPIOS = ["clave_inegi", "nombre", "region"]

_ID = re.compile(r"[a-z0-9_]{1,20}")
_CLAVE_INEGI = re.compile(r"21\d{3}")
_FECHA = re.compile(r"\d{4}-\d{2}-\d{2}")
_MARCADOR = re.compile(r"\{([^{}]*)\}")
_TOKEN_HTML = re.compile(r"<[^<>]*>|&[^&;\s]*;|[<>&]")
_ETIQUETA = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*)?>")
_ENTIDAD = re.compile(r"&(amp|lt|gt|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_ETIQUETAS_PERMITIDAS = ("b", "i")


class ContenidoInvalido(Exception):
    """Error en un archivo de contenido: `str()` es "archivo: entrada: motivo".

    `linea` es la línea del archivo donde está la entrada, si se conoce.
    """

    def __init__(self, archivo: str, entrada: str, motivo: str, linea: int | None = None):
        super().__init__(f"{archivo}: {entrada}: {motivo}")
        self.archivo = archivo
        self.entrada = entrada
        self.motivo = motivo
        self.linea = linea


@dataclass(frozen=True)
class Opcion:
    id: str
    texto: str
    siguiente: str


@dataclass(frozen=True)
class Pregunta:
    id: str
    clave: str
    tipo: str
    texto: str
    opciones: tuple[Opcion, ...]
    siguiente: str | None
    ayuda: str | None


@dataclass(frozen=True)
class Resultado:
    id: str
    titulo: str
    texto: str
    pasos: tuple[str, ...]
    siguiente_accion: str
    fuentes: tuple[str, ...]  # vacío si el resultado no afirma nada de leyes ni programas
    revisado: datetime.date | None
    cursos: tuple[str, ...] = ()  # los cursos que el resultado nombra (ids del catálogo)


@dataclass(frozen=True)
class Extra:
    """Un párrafo que se suma a cualquier resultado según lo que la persona contestó.

    `cuando`: clave de pregunta → ids de opción; basta que una respuesta coincida.
    `cursos_breves`: ofrece los cursos en línea o de hasta esas horas (0: ninguno)."""

    id: str
    cuando: Mapping[str, tuple[str, ...]]
    texto: str
    cursos: tuple[str, ...]
    cursos_breves: int
    fuentes: tuple[str, ...]
    revisado: datetime.date | None

    def aplica(self, respuestas_por_clave: Mapping[str, str]) -> bool:
        return any(respuestas_por_clave.get(clave) in opciones
                   for clave, opciones in self.cuando.items())


@dataclass(frozen=True)
class Orientacion:
    inicio: str
    aviso_guia: str
    preguntas: Mapping[str, Pregunta]
    resultados: Mapping[str, Resultado]
    extras: tuple[Extra, ...] = ()

    def por_clave(self, respuestas: Mapping[str, str]) -> dict[str, str]:
        """Las respuestas (por id de pregunta) con la clave de su pregunta."""
        return {self.preguntas[p].clave: r for p, r in respuestas.items() if p in self.preguntas}

    def extras_de(self, respuestas: Mapping[str, str]) -> list[Extra]:
        """Los extras que tocan a esas respuestas, en el orden del archivo."""
        por_clave = self.por_clave(respuestas)
        return [e for e in self.extras if e.aplica(por_clave)]

    def nodo(self, id: str) -> Pregunta | Resultado:
        """La pregunta o el resultado con ese id (KeyError si no existe)."""
        if id in self.preguntas:
            return self.preguntas[id]
        return self.resultados[id]


@dataclass(frozen=True)
class Oficina:
    nombre: str
    siglas: str
    area: str | None
    direccion: str | None
    telefono: str | None
    horario: str | None
    correo: str | None
    sitio: str | None

    def lineas_contacto(self) -> list[tuple[str, str]]:
        """Pares (campo, valor) de los datos de contacto que no están vacíos, en orden fijo.

        El campo es una de CAMPOS_CONTACTO; quien muestra la lista traduce la etiqueta.
        """
        pares = ((campo, getattr(self, campo)) for campo in CAMPOS_CONTACTO)
        return [(campo, valor) for campo, valor in pares if valor]


@dataclass(frozen=True)
class SeccionAviso:
    titulo: str
    texto: str


@dataclass(frozen=True)
class Privacidad:
    simplificado: str
    integral: tuple[SeccionAviso, ...]
    fuentes: tuple[str, ...] = ()
    revisado: datetime.date | None = None


@dataclass(frozen=True)
class Curso:
    id: str
    nombre: str
    tema: str
    descripcion: str
    requisitos: str
    modalidad: str
    duracion_horas: int
    activo: bool = True  # uno desactivado ya no se ofrece, pero sus sesiones viejas lo nombran


class FuenteDeCursos(Protocol):
    """El catálogo de cursos vigente (nucleo/catalogo.py, en la base de datos)."""

    @property
    def cursos(self) -> tuple[Curso, ...]: ...

    def curso(self, curso_id: str) -> Curso | None: ...


@dataclass(frozen=True)
class TemaGrupo:
    """Un tema de «antes del camino legal»: lo que un grupo platica primero."""

    id: str
    titulo: str
    texto: str


@dataclass(frozen=True)
class ClaseDeCooperativa:
    """Una clase de cooperativa (sus ids son los de `vocabulario.ClaseCooperativa`)."""

    id: str
    titulo: str
    texto: str
    minimo_socios: int
    base: str
    fuentes: tuple[str, ...]
    revisado: datetime.date


@dataclass(frozen=True)
class PasoCamino:
    """Un paso del camino hacia una cooperativa registrada (contenido/cooperativa.yaml).
    `constitutivo`: la ley lo condiciona al mínimo de personas socias; se bloquea antes."""

    id: str
    titulo: str
    texto: str
    por_que: str
    documentos: tuple[str, ...]
    quien: str
    donde: str
    costo: str
    tiempo: str
    base: str
    fuentes: tuple[str, ...]
    revisado: datetime.date
    constitutivo: bool


@dataclass(frozen=True)
class CaminoCooperativa:
    aviso_guia: str
    antes: tuple[TemaGrupo, ...]
    antes_fuentes: tuple[str, ...]
    antes_revisado: datetime.date
    grupo_chico: TemaGrupo
    grupo_chico_fuentes: tuple[str, ...]
    grupo_chico_revisado: datetime.date
    clases: Mapping[str, ClaseDeCooperativa]
    pasos: tuple[PasoCamino, ...]

    def paso(self, paso_id: str) -> PasoCamino | None:
        return next((p for p in self.pasos if p.id == paso_id), None)

    def minimo_socios(self, clase: str) -> int:
        """Cuántas personas socias pide la ley para los pasos constitutivos de esa clase."""
        return self.clases[clase].minimo_socios


@dataclass(frozen=True)
class Contenido:
    carpeta: Path
    municipios: CatalogoMunicipios
    orientacion: Orientacion
    oficina: Oficina
    privacidad: Privacidad
    # Los cursos de contenido/cursos.yaml: el catálogo de EJEMPLO (modo local y pruebas).
    # El catálogo de verdad está en la base: `catalogo`.
    cursos_ejemplo: tuple[Curso, ...]
    cooperativa: CaminoCooperativa
    # True si cursos.yaml está marcado como ejemplo («ejemplo: true»).
    cursos_de_ejemplo: bool = False
    # El catálogo vigente (nucleo/catalogo.py); lo pone el bot al arrancar. Sin él (al validar
    # el contenido, en una prueba del contenido), `cursos` son los de ejemplo.
    catalogo: FuenteDeCursos | None = field(default=None, compare=False, repr=False)

    @property
    def cursos(self) -> tuple[Curso, ...]:
        """Los cursos que se ofrecen hoy (activos, en orden)."""
        return self.catalogo.cursos if self.catalogo is not None else self.cursos_ejemplo

    def curso(self, curso_id: str) -> Curso | None:
        """El curso, también si está desactivado; None si no existe (una sesión vieja
        puede nombrar un curso que ya no está)."""
        if self.catalogo is not None:
            return self.catalogo.curso(curso_id)
        return next((c for c in self.cursos_ejemplo if c.id == curso_id), None)


# --- Lectura de YAML ------------------------------------------------------------------------


class CargadorYaml(yaml.SafeLoader):
    """Cargador seguro y estricto para el contenido.

    - Una clave repetida es un error (PyYAML normal se queda con la última sin avisar).
    - Solo true/false son booleanos: "no", "yes", "on", "off" quedan como texto.
    - Las fechas quedan como texto; el validador las convierte.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        vistas: set[Any] = set()
        for nodo_clave, _ in node.value:
            clave = self.construct_object(nodo_clave, deep=True)
            if isinstance(clave, str | int | float | bool) and clave in vistas:
                raise yaml.constructor.ConstructorError(
                    None, None, f"la clave '{clave}' está repetida", nodo_clave.start_mark
                )
            if isinstance(clave, str | int | float | bool):
                vistas.add(clave)
        return super().construct_mapping(node, deep)


_QUITAR = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool"}
CargadorYaml.yaml_implicit_resolvers = {
    inicial: [(tag, regex) for tag, regex in lista if tag not in _QUITAR]
    for inicial, lista in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
CargadorYaml.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def texto_limpio(valor: str) -> str:
    """Limpieza que se aplica a todo texto del contenido (también al extraer traducciones)."""
    return valor.strip()


def recorrer(
    nodo: yaml.Node, ruta: str = "", clave: str | None = None, _vistos: frozenset[int] = frozenset()
) -> Iterator[tuple[str, str | None, yaml.Node]]:
    """Recorre un nodo YAML compuesto: (ruta como "preguntas.idea.opciones[0].texto",
    clave del mapa más cercano, nodo). No entra dos veces al mismo nodo en una rama (alias)."""
    yield ruta, clave, nodo
    if id(nodo) in _vistos:
        return
    vistos = _vistos | {id(nodo)}
    if isinstance(nodo, yaml.MappingNode):
        for nodo_clave, valor in nodo.value:
            nombre = str(nodo_clave.value)
            yield from recorrer(valor, f"{ruta}.{nombre}" if ruta else nombre, nombre, vistos)
    elif isinstance(nodo, yaml.SequenceNode):
        for indice, valor in enumerate(nodo.value):
            yield from recorrer(valor, f"{ruta}[{indice}]", clave, vistos)


def _mostrar(valor: Any) -> str:
    return repr(valor) if isinstance(valor, str) else str(valor)


def _revisar_marcadores(texto: str, permitidos: frozenset[str]) -> str | None:
    """Motivo del error si hay marcadores no permitidos o llaves sueltas."""
    lista = ", ".join("{" + m + "}" for m in sorted(permitidos))
    for encontrado in _MARCADOR.finditer(texto):
        if encontrado.group(1) not in permitidos:
            if not permitidos:
                return f"aquí no se permiten marcadores como {encontrado.group(0)}"
            return f"el marcador {encontrado.group(0)} no está permitido; usa solo {lista}"
    if "{" in _MARCADOR.sub("", texto) or "}" in _MARCADOR.sub("", texto):
        if not permitidos:
            return "hay una llave { o } que no debe estar; quítala"
        return f"hay una llave {{ o }} suelta; los marcadores se escriben así: {lista}"
    return None


def _revisar_html(texto: str) -> str | None:
    """Motivo del error si el texto no es HTML válido para Telegram (solo <b> e <i>)."""
    abiertas: list[str] = []
    for token in _TOKEN_HTML.findall(texto):
        if token == "&":
            return "el signo & suelto debe escribirse &amp;"
        if token.startswith("&") and not _ENTIDAD.fullmatch(token):
            return f"Telegram no acepta {token}; usa &amp; &lt; &gt; o &quot;"
        if token in ("<", ">"):
            entidad = "&lt;" if token == "<" else "&gt;"
            return f"el signo {token} suelto debe escribirse {entidad}"
        if not token.startswith("<"):
            continue
        etiqueta = _ETIQUETA.fullmatch(token)
        if etiqueta is None:
            return f"el signo < suelto en {token!r} debe escribirse &lt;"
        cierre, nombre, atributos = etiqueta.groups()
        if nombre not in _ETIQUETAS_PERMITIDAS or atributos:
            return f"la etiqueta {token} no está permitida; usa solo <b> e <i>"
        if not cierre:
            abiertas.append(nombre)
        elif not abiertas or abiertas.pop() != nombre:
            return f"la etiqueta {token} cierra algo que no está abierto"
    if abiertas:
        return f"falta cerrar la etiqueta <{abiertas[-1]}> con </{abiertas[-1]}>"
    return None


def _revisar_modo(texto: str, modo: str) -> str | None:
    """Motivo del error según la clase de texto (HTML, BOTON o TAL_CUAL)."""
    if modo == HTML:
        return _revisar_html(texto)
    if modo == BOTON and any(signo in texto for signo in "<>&"):
        return "este texto va en un botón o en un título: no uses etiquetas ni los signos < > &"
    if modo == TAL_CUAL and (_ETIQUETA.search(texto) or _ENTIDAD.search(texto)):
        return "este texto se muestra tal cual: no uses etiquetas (<b>) ni entidades (&amp;)"
    return None


class _Archivo:
    """Un archivo de contenido leído, con ayudas para validar y reportar errores."""

    def __init__(self, carpeta: Path, nombre: str) -> None:
        self.nombre = str(carpeta / nombre)
        self.lineas: dict[str, int] = {}
        texto = self._leer(carpeta / nombre)
        try:
            self.datos = yaml.load(texto, Loader=CargadorYaml)  # cargador seguro
            raiz = yaml.compose(texto, Loader=CargadorYaml)
        except yaml.YAMLError as error:
            raise self._error_sintaxis(error) from error
        if raiz is not None:
            self.lineas = {ruta: n.start_mark.line + 1 for ruta, _, n in recorrer(raiz)}

    def _leer(self, ruta: Path) -> str:
        if not ruta.is_file():
            raise ContenidoInvalido(self.nombre, "(archivo)", "no existe el archivo")
        try:
            return ruta.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as error:
            raise self.error("", "el archivo no está guardado en UTF-8") from error

    def _error_sintaxis(self, error: yaml.YAMLError) -> ContenidoInvalido:
        marca = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problema = getattr(error, "problem", None) or str(error)
        if marca is None:
            return self.error("", f"error de formato YAML: {problema}")
        linea = marca.line + 1
        motivo = f"error de formato YAML en la línea {linea}, columna {marca.column + 1}: "
        return ContenidoInvalido(self.nombre, f"línea {linea}", motivo + problema, linea)

    def error(self, entrada: str, motivo: str) -> ContenidoInvalido:
        ruta = entrada
        while ruta and ruta not in self.lineas:
            corta = re.sub(r"(\[\d+\]|\.?[^.\[]+)$", "", ruta)
            ruta = corta if corta != ruta else ""
        return ContenidoInvalido(
            self.nombre, entrada or "(archivo)", motivo, self.lineas.get(ruta or "")
        )

    def mapa(
        self,
        valor: Any,
        entrada: str,
        obligatorias: tuple[str, ...],
        opcionales: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """Revisa que sea un mapa con esas claves (ni faltan obligatorias ni hay desconocidas)."""
        if valor is None and not entrada:
            raise self.error(entrada, "el archivo está vacío")
        if not isinstance(valor, dict):
            raise self.error(entrada, "debe ser una lista de campos (clave: valor)")
        prefijo = f"{entrada}." if entrada else ""
        for clave in valor:
            if clave not in obligatorias and clave not in opcionales:
                validas = ", ".join((*obligatorias, *opcionales))
                raise self.error(
                    f"{prefijo}{clave}", f"campo desconocido; los campos válidos son: {validas}"
                )
        for clave in obligatorias:
            if clave not in valor:
                raise self.error(f"{prefijo}{clave}", "falta este campo (es obligatorio)")
        return valor

    def lista(self, valor: Any, entrada: str, minimo: int = 1) -> list[Any]:
        if not isinstance(valor, list):
            raise self.error(entrada, "debe ser una lista (renglones que empiezan con -)")
        if len(valor) < minimo:
            raise self.error(entrada, f"la lista debe tener por lo menos {minimo} elemento(s)")
        return valor

    def texto(
        self,
        valor: Any,
        entrada: str,
        marcadores: frozenset[str] = frozenset(),
        maximo: int = MAX_TEXTO,
        modo: str = HTML,
    ) -> str:
        """Texto obligatorio: tipo, vacío, largo, marcadores y HTML."""
        if valor is None:
            raise self.error(entrada, "está vacío; escribe el texto")
        if isinstance(valor, bool | int | float):
            raise self.error(entrada, f"debe ser texto, no {_mostrar(valor)}; ponlo entre comillas")
        if not isinstance(valor, str):
            raise self.error(entrada, "debe ser un texto, no una lista ni un grupo de campos")
        texto = texto_limpio(valor)
        if not texto:
            raise self.error(entrada, "está vacío; escribe el texto")
        if len(texto) > maximo:
            raise self.error(entrada, f"tiene {len(texto)} caracteres; el máximo es {maximo}")
        motivo = _revisar_marcadores(texto, marcadores) or _revisar_modo(texto, modo)
        if motivo:
            raise self.error(entrada, motivo)
        return texto

    def texto_opcional(self, valor: Any, entrada: str, **opciones: Any) -> str | None:
        if valor is None or (isinstance(valor, str) and not valor.strip()):
            return None
        return self.texto(valor, entrada, **opciones)

    def textos(self, valor: Any, entrada: str, **opciones: Any) -> tuple[str, ...]:
        lista = self.lista(valor, entrada)
        return tuple(self.texto(v, f"{entrada}[{i}]", **opciones) for i, v in enumerate(lista))

    def identificador(self, valor: Any, entrada: str) -> str:
        if not isinstance(valor, str) or not _ID.fullmatch(valor):
            raise self.error(
                entrada,
                f"{_mostrar(valor)} no sirve como id; usa de 1 a 20 letras minúsculas sin "
                "acentos, números o _",
            )
        return valor

    def eleccion(self, valor: Any, entrada: str, permitidos: tuple[str, ...]) -> str:
        if valor not in permitidos:
            raise self.error(
                entrada, f"{_mostrar(valor)} no es válido; usa uno de: {', '.join(permitidos)}"
            )
        return valor

    def fecha(self, valor: Any, entrada: str) -> datetime.date:
        try:
            if isinstance(valor, str) and _FECHA.fullmatch(valor.strip()):
                return datetime.date.fromisoformat(valor.strip())
        except ValueError:
            pass
        raise self.error(entrada, f"{_mostrar(valor)} no es una fecha; escríbela AAAA-MM-DD")

    def entero(self, valor: Any, entrada: str, minimo: int, maximo: int) -> int:
        if isinstance(valor, bool) or not isinstance(valor, int) or not minimo <= valor <= maximo:
            raise self.error(
                entrada,
                f"{_mostrar(valor)} no es válido; usa un número entero de {minimo} a {maximo}",
            )
        return valor


# --- Orientación ----------------------------------------------------------------------------


def _cargar_orientacion(carpeta: Path) -> Orientacion:
    archivo = _Archivo(carpeta, ARCHIVO_ORIENTACION)
    raiz = archivo.mapa(archivo.datos, "", ("inicio", "aviso_guia", "preguntas", "resultados"),
                        ("extras",))
    preguntas = {
        id: _pregunta(archivo, id, datos)
        for id, datos in _mapa_de_ids(archivo, raiz["preguntas"], "preguntas").items()
    }
    resultados = {
        id: _resultado(archivo, id, datos)
        for id, datos in _mapa_de_ids(archivo, raiz["resultados"], "resultados").items()
    }
    inicio = archivo.identificador(raiz["inicio"], "inicio")
    orientacion = Orientacion(
        inicio=inicio,
        aviso_guia=archivo.texto(raiz["aviso_guia"], "aviso_guia"),
        preguntas=MappingProxyType(preguntas),
        resultados=MappingProxyType(resultados),
    )
    _validar_grafo(archivo, orientacion)
    for id, resultado in resultados.items():
        _revisar_cursos(archivo, resultado.cursos, f"resultados.{id}.cursos")
    extras: tuple[Extra, ...] = ()
    if raiz.get("extras") is not None:
        crudos = _mapa_de_ids(archivo, raiz["extras"], "extras")
        extras = tuple(_extra(archivo, id, datos, preguntas)
                       for id, datos in crudos.items())
    return Orientacion(orientacion.inicio, orientacion.aviso_guia, orientacion.preguntas,
                       orientacion.resultados, extras)


def _lista_de_ids(archivo: _Archivo, valor: Any, entrada: str) -> tuple[str, ...]:
    if valor is None:
        return ()
    lista = archivo.lista(valor, entrada)
    return tuple(archivo.identificador(v, f"{entrada}[{i}]") for i, v in enumerate(lista))


def _revisar_cursos(archivo: _Archivo, ids: tuple[str, ...], entrada: str) -> None:
    """Cuántos cursos nombra. Que existan lo dice el catálogo de la base (nucleo/catalogo.py):
    uno que no está (o está desactivado) no se muestra, y al arrancar sale un WARNING."""
    if len(ids) > MAX_CURSOS_RESULTADO:
        raise archivo.error(entrada, f"nombra {len(ids)} cursos; el máximo es "
                                     f"{MAX_CURSOS_RESULTADO} (cada uno es un botón)")


def _revisar_pantallas(archivo: _Archivo, texto: str, entrada: str) -> None:
    """Cada párrafo cabe en una pantalla: el resultado se parte por párrafos."""
    for parrafo in texto.split("\n\n"):
        if len(parrafo) > MAX_PANTALLA:
            raise archivo.error(entrada, f"un párrafo tiene {len(parrafo)} caracteres; el "
                                         f"máximo es {MAX_PANTALLA} (deja una línea en blanco "
                                         "para partirlo)")


def _fuentes_y_fecha(archivo: _Archivo, campos: dict[str, Any],
                     ruta: str) -> tuple[tuple[str, ...], datetime.date | None]:
    """Fuentes opcionales; si las hay, la fecha de revisión es obligatoria."""
    if campos.get("fuentes") is None:
        return (), None
    fuentes = archivo.textos(campos["fuentes"], f"{ruta}.fuentes", modo=TAL_CUAL)
    if campos.get("revisado") is None:
        raise archivo.error(f"{ruta}.revisado", "falta la fecha de revisión de las fuentes")
    return fuentes, archivo.fecha(campos["revisado"], f"{ruta}.revisado")


def _extra(archivo: _Archivo, id: str, datos: Any,
           preguntas: Mapping[str, Pregunta]) -> Extra:
    ruta = f"extras.{id}"
    campos = archivo.mapa(datos, ruta, ("cuando", "texto"),
                          ("cursos", "cursos_breves", "fuentes", "revisado"))
    cuando_crudo = campos["cuando"]
    if not isinstance(cuando_crudo, dict) or not cuando_crudo:
        raise archivo.error(f"{ruta}.cuando", "debe tener por lo menos una entrada "
                                              "(clave de pregunta: [opciones])")
    cuando: dict[str, tuple[str, ...]] = {}
    for clave, opciones in cuando_crudo.items():
        entrada = f"{ruta}.cuando.{clave}"
        de_la_clave = [p for p in preguntas.values() if p.clave == clave]
        if not de_la_clave or any(p.tipo != "opciones" for p in de_la_clave):
            raise archivo.error(entrada, f"'{clave}' no es la clave de una pregunta con "
                                         "opciones")
        ids = _lista_de_ids(archivo, opciones, entrada)
        validas = {o.id for p in de_la_clave for o in p.opciones}
        for i, opcion in enumerate(ids):
            if opcion not in validas:
                raise archivo.error(f"{entrada}[{i}]", f"'{opcion}' no es una opción de "
                                                       f"esa pregunta; usa: "
                                                       f"{', '.join(sorted(validas))}")
        cuando[clave] = ids
    texto = archivo.texto(campos["texto"], f"{ruta}.texto")
    _revisar_pantallas(archivo, texto, f"{ruta}.texto")
    cursos = _lista_de_ids(archivo, campos.get("cursos"), f"{ruta}.cursos")
    _revisar_cursos(archivo, cursos, f"{ruta}.cursos")
    breves = campos.get("cursos_breves")
    horas = 0 if breves is None else archivo.entero(breves, f"{ruta}.cursos_breves", 1, 500)
    fuentes, revisado = _fuentes_y_fecha(archivo, campos, ruta)
    return Extra(id=id, cuando=MappingProxyType(cuando), texto=texto, cursos=cursos,
                 cursos_breves=horas, fuentes=fuentes, revisado=revisado)


def _mapa_de_ids(archivo: _Archivo, valor: Any, entrada: str) -> dict[str, Any]:
    if not isinstance(valor, dict) or not valor:
        raise archivo.error(entrada, "debe tener por lo menos una entrada (id: campos)")
    for id in valor:
        archivo.identificador(id, f"{entrada}.{id}")
    return valor


def _pregunta(archivo: _Archivo, id: str, datos: Any) -> Pregunta:
    ruta = f"preguntas.{id}"
    opcionales = ("opciones", "siguiente", "ayuda")
    campos = archivo.mapa(datos, ruta, ("clave", "tipo", "texto"), opcionales)
    tipo = archivo.eleccion(campos["tipo"], f"{ruta}.tipo", TIPOS_PREGUNTA)
    opciones: tuple[Opcion, ...] = ()
    siguiente = None
    if tipo == "opciones":
        if "siguiente" in campos:
            raise archivo.error(
                f"{ruta}.siguiente",
                "una pregunta con opciones no lleva 'siguiente'; cada opción lleva el suyo",
            )
        if "opciones" not in campos:
            raise archivo.error(f"{ruta}.opciones", "falta este campo (es obligatorio)")
        opciones = _opciones(archivo, campos["opciones"], f"{ruta}.opciones")
    else:
        if "opciones" in campos:
            raise archivo.error(f"{ruta}.opciones", "una pregunta de tipo texto no lleva opciones")
        if "siguiente" not in campos:
            raise archivo.error(f"{ruta}.siguiente", "falta este campo (es obligatorio)")
        siguiente = archivo.identificador(campos["siguiente"], f"{ruta}.siguiente")
    return Pregunta(
        id=id,
        clave=archivo.identificador(campos["clave"], f"{ruta}.clave"),
        tipo=tipo,
        texto=archivo.texto(campos["texto"], f"{ruta}.texto"),
        opciones=opciones,
        siguiente=siguiente,
        ayuda=archivo.texto_opcional(campos.get("ayuda"), f"{ruta}.ayuda"),
    )


def _opciones(archivo: _Archivo, valor: Any, ruta: str) -> tuple[Opcion, ...]:
    opciones: list[Opcion] = []
    for indice, datos in enumerate(archivo.lista(valor, ruta, minimo=2)):
        entrada = f"{ruta}[{indice}]"
        campos = archivo.mapa(datos, entrada, ("id", "texto", "siguiente"))
        id = archivo.identificador(campos["id"], f"{entrada}.id")
        if any(o.id == id for o in opciones):
            raise archivo.error(f"{entrada}.id", f"el id '{id}' está repetido en esta pregunta")
        texto = archivo.texto(campos["texto"], f"{entrada}.texto", maximo=MAX_BOTON, modo=BOTON)
        siguiente = archivo.identificador(campos["siguiente"], f"{entrada}.siguiente")
        opciones.append(Opcion(id=id, texto=texto, siguiente=siguiente))
    return tuple(opciones)


def _resultado(archivo: _Archivo, id: str, datos: Any) -> Resultado:
    ruta = f"resultados.{id}"
    obligatorias = ("titulo", "texto", "pasos", "siguiente_accion")
    campos = archivo.mapa(datos, ruta, obligatorias, ("fuentes", "revisado", "cursos"))
    fuentes, revisado = _fuentes_y_fecha(archivo, campos, ruta)
    resultado = Resultado(
        id=id,
        titulo=archivo.texto(campos["titulo"], f"{ruta}.titulo", maximo=MAX_TITULO, modo=BOTON),
        texto=archivo.texto(campos["texto"], f"{ruta}.texto", MARCADORES_ORIENTACION),
        pasos=archivo.textos(campos["pasos"], f"{ruta}.pasos"),
        siguiente_accion=archivo.eleccion(
            campos["siguiente_accion"], f"{ruta}.siguiente_accion", ACCIONES
        ),
        fuentes=fuentes,
        revisado=revisado,
        cursos=_lista_de_ids(archivo, campos.get("cursos"), f"{ruta}.cursos"),
    )
    _revisar_pantallas(archivo, resultado.texto, f"{ruta}.texto")
    total = len(resultado.titulo) + len(resultado.texto) + sum(map(len, resultado.pasos))
    total += sum(map(len, resultado.fuentes))
    if total > MAX_TEXTO:
        raise archivo.error(
            ruta,
            f"título, texto, pasos y fuentes suman {total} caracteres; el máximo es {MAX_TEXTO}",
        )
    return resultado


def _aristas(pregunta: Pregunta) -> list[tuple[str, str]]:
    """(entrada, destino) de cada 'siguiente' de la pregunta."""
    ruta = f"preguntas.{pregunta.id}"
    if pregunta.siguiente is not None:
        return [(f"{ruta}.siguiente", pregunta.siguiente)]
    return [
        (f"{ruta}.opciones[{i}].siguiente", o.siguiente) for i, o in enumerate(pregunta.opciones)
    ]


def _validar_grafo(archivo: _Archivo, orientacion: Orientacion) -> None:
    """Revisa que los 'siguiente' existan, que no haya ciclos y que todo sea alcanzable."""
    preguntas, resultados = orientacion.preguntas, orientacion.resultados
    for id in resultados:
        if id in preguntas:
            raise archivo.error(f"resultados.{id}", "ese id ya es de una pregunta; usa otro")
    if orientacion.inicio not in preguntas:
        raise archivo.error("inicio", f"'{orientacion.inicio}' no existe; debe ser una pregunta")
    for pregunta in preguntas.values():
        for entrada, destino in _aristas(pregunta):
            if destino not in preguntas and destino not in resultados:
                raise archivo.error(
                    entrada, f"'{destino}' no existe; debe ser una pregunta o un resultado"
                )
    _buscar_ciclos(archivo, orientacion)
    alcanzados = _alcanzables(orientacion)
    for grupo, ids in (("preguntas", preguntas), ("resultados", resultados)):
        for id in ids:
            if id not in alcanzados:
                raise archivo.error(
                    f"{grupo}.{id}",
                    f"no se llega aquí desde el inicio ('{orientacion.inicio}'); revisa los "
                    "'siguiente'",
                )


def _buscar_ciclos(archivo: _Archivo, orientacion: Orientacion) -> None:
    terminadas: set[str] = set()

    def visitar(id: str, camino: list[str]) -> None:
        for entrada, destino in _aristas(orientacion.preguntas[id]):
            if destino in camino:
                vuelta = " → ".join([*camino[camino.index(destino) :], destino])
                raise archivo.error(
                    entrada,
                    f"forma un ciclo ({vuelta}); la orientación no "
                    "debe volver a una pregunta anterior",
                )
            if destino in orientacion.preguntas and destino not in terminadas:
                visitar(destino, [*camino, destino])
        terminadas.add(id)

    for id in orientacion.preguntas:
        if id not in terminadas:
            visitar(id, [id])


def _alcanzables(orientacion: Orientacion) -> set[str]:
    alcanzados, pendientes = {orientacion.inicio}, [orientacion.inicio]
    while pendientes:
        nodo = orientacion.preguntas.get(pendientes.pop())
        for _, destino in _aristas(nodo) if nodo else ():
            if destino not in alcanzados:
                alcanzados.add(destino)
                pendientes.append(destino)
    return alcanzados


# --- Oficina, privacidad y cursos -----------------------------------------------------------


def _cargar_oficina(carpeta: Path) -> Oficina:
    archivo = _Archivo(carpeta, ARCHIVO_OFICINA)
    campos = archivo.mapa(archivo.datos, "", ("nombre", "siglas"), CAMPOS_CONTACTO)
    valores = {c: archivo.texto_opcional(campos.get(c), c, modo=TAL_CUAL) for c in CAMPOS_CONTACTO}
    if valores["sitio"] and not re.fullmatch(r"https?://\S+", valores["sitio"]):
        raise archivo.error("sitio", "debe ser una dirección web que empiece con https://")
    if valores["correo"] and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", valores["correo"]):
        raise archivo.error("correo", "no parece un correo; revisa que tenga la forma x@y.gob.mx")
    return Oficina(
        nombre=archivo.texto(campos["nombre"], "nombre", modo=TAL_CUAL),
        siglas=archivo.texto(campos["siglas"], "siglas", maximo=20, modo=BOTON),
        **valores,
    )


def _cargar_privacidad(carpeta: Path) -> Privacidad:
    archivo = _Archivo(carpeta, ARCHIVO_PRIVACIDAD)
    obligatorias = ("simplificado", "integral", "fuentes", "revisado")
    campos = archivo.mapa(archivo.datos, "", obligatorias)
    secciones = []
    for indice, datos in enumerate(archivo.lista(campos["integral"], "integral")):
        ruta = f"integral[{indice}]"
        seccion = archivo.mapa(datos, ruta, ("titulo", "texto"))
        secciones.append(
            SeccionAviso(
                titulo=archivo.texto(seccion["titulo"], f"{ruta}.titulo"),
                texto=archivo.texto(seccion["texto"], f"{ruta}.texto", MARCADORES_PRIVACIDAD),
            )
        )
    return Privacidad(
        simplificado=archivo.texto(
            campos["simplificado"], "simplificado", MARCADORES_PRIVACIDAD, MAX_AVISO_SIMPLIFICADO
        ),
        integral=tuple(secciones),
        fuentes=archivo.textos(campos["fuentes"], "fuentes", modo=TAL_CUAL),
        revisado=archivo.fecha(campos["revisado"], "revisado"),
    )


def _cargar_cursos(carpeta: Path) -> tuple[tuple[Curso, ...], bool]:
    """El catálogo y si es el de ejemplo («ejemplo: true» arriba del archivo)."""
    archivo = _Archivo(carpeta, ARCHIVO_CURSOS)
    raiz = archivo.mapa(archivo.datos, "", ("cursos",), ("ejemplo",))
    ejemplo = raiz.get("ejemplo", False)
    if not isinstance(ejemplo, bool):
        raise archivo.error("ejemplo", f"{_mostrar(ejemplo)} no es válido; usa true o false")
    cursos: list[Curso] = []
    obligatorias = ("id", "nombre", "tema", "descripcion", "requisitos", "modalidad")
    for indice, datos in enumerate(archivo.lista(raiz["cursos"], "cursos")):
        ruta = f"cursos[{indice}]"
        campos = archivo.mapa(datos, ruta, (*obligatorias, "duracion_horas"))
        id = archivo.identificador(campos["id"], f"{ruta}.id")
        if any(c.id == id for c in cursos):
            raise archivo.error(f"{ruta}.id", f"el id '{id}' ya lo usa otro curso")
        cursos.append(
            Curso(
                id=id,
                nombre=archivo.texto(
                    campos["nombre"], f"{ruta}.nombre", maximo=MAX_NOMBRE_CURSO, modo=BOTON
                ),
                tema=archivo.eleccion(campos["tema"], f"{ruta}.tema", tuple(TEMAS)),
                descripcion=archivo.texto(campos["descripcion"], f"{ruta}.descripcion"),
                requisitos=archivo.texto(campos["requisitos"], f"{ruta}.requisitos"),
                modalidad=archivo.eleccion(campos["modalidad"], f"{ruta}.modalidad",
                                           tuple(Modalidad)),
                duracion_horas=archivo.entero(
                    campos["duracion_horas"], f"{ruta}.duracion_horas", 1, 500
                ),
            )
        )
    return tuple(cursos), ejemplo


# --- Municipios -----------------------------------------------------------------------------


def _cargar_municipios(carpeta: Path) -> CatalogoMunicipios:
    nombre_archivo = str(carpeta / ARCHIVO_MUNICIPIOS)
    ruta = carpeta / ARCHIVO_MUNICIPIOS

    def error(entrada: str, motivo: str, linea: int | None = None) -> ContenidoInvalido:
        return ContenidoInvalido(nombre_archivo, entrada, motivo, linea)

    if not ruta.is_file():
        raise error("(archivo)", "no existe el archivo")
    try:
        texto = ruta.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as fallo:
        raise error("(archivo)", "no está guardado en UTF-8; en Excel usa «CSV UTF-8»") from fallo
    filas = [(n, f) for n, f in enumerate(csv.reader(io.StringIO(texto)), start=1) if any(f)]
    if not filas or [c.strip() for c in filas[0][1]] != ENCABEZADO_MUNICIPIOS:
        raise error(
            "línea 1", f"el encabezado debe ser {','.join(ENCABEZADO_MUNICIPIOS)} (con comas)", 1
        )
    municipios: list[Municipio] = []
    claves: set[str] = set()
    nombres: set[str] = set()
    for linea, fila in filas[1:]:
        municipio = _municipio(fila, linea, error)
        if municipio.clave in claves:
            raise error(f"línea {linea}", f"la clave {municipio.clave} está repetida", linea)
        if normalizar(municipio.nombre) in nombres:
            raise error(f"línea {linea}", f"el nombre '{municipio.nombre}' está repetido", linea)
        claves.add(municipio.clave)
        nombres.add(normalizar(municipio.nombre))
        municipios.append(municipio)
    if len(municipios) != TOTAL_MUNICIPIOS:
        raise error("(archivo)", f"hay {len(municipios)} municipios; deben ser {TOTAL_MUNICIPIOS}")
    return CatalogoMunicipios(municipios)


def _municipio(fila: list[str], linea: int, error: Any) -> Municipio:
    entrada = f"línea {linea}"
    if len(fila) != len(ENCABEZADO_MUNICIPIOS):
        raise error(entrada, "debe tener 3 columnas: clave_inegi,nombre,region", linea)
    clave, nombre, region = (c.strip() for c in fila)
    if not _CLAVE_INEGI.fullmatch(clave):
        raise error(entrada, f"la clave '{clave}' debe tener 5 dígitos y empezar con 21", linea)
    if not nombre:
        raise error(entrada, "falta el nombre del municipio", linea)
    if any(signo in nombre + region for signo in "<>&{}"):
        raise error(entrada, "el nombre y la región no pueden llevar < > & { }", linea)
    return Municipio(clave=clave, nombre=nombre, region=region or None)


# --- Cooperativa (el camino de /cooperativa) ---------------------------------------------------

CAMPOS_PASO = ("titulo", "texto", "por_que", "documentos", "quien", "donde", "costo", "tiempo",
               "base", "fuentes", "revisado")
MAX_BASE = 300


def _cargar_cooperativa(carpeta: Path) -> CaminoCooperativa:
    archivo = _Archivo(carpeta, ARCHIVO_COOPERATIVA)
    raiz = archivo.mapa(archivo.datos, "", ("aviso_guia", "antes", "grupo_chico", "clases",
                                             "pasos"))
    antes = archivo.mapa(raiz["antes"], "antes", ("temas", "fuentes", "revisado"))
    temas = tuple(_tema_grupo(archivo, id, datos, f"antes.temas.{id}")
                  for id, datos in _mapa_de_ids(archivo, antes["temas"], "antes.temas").items())
    chico = archivo.mapa(raiz["grupo_chico"], "grupo_chico",
                         ("titulo", "texto", "fuentes", "revisado"))
    return CaminoCooperativa(
        aviso_guia=archivo.texto(raiz["aviso_guia"], "aviso_guia"),
        antes=temas,
        antes_fuentes=archivo.textos(antes["fuentes"], "antes.fuentes", modo=TAL_CUAL),
        antes_revisado=archivo.fecha(antes["revisado"], "antes.revisado"),
        grupo_chico=_tema_grupo(archivo, "grupo_chico",
                                {"titulo": chico["titulo"], "texto": chico["texto"]},
                                "grupo_chico"),
        grupo_chico_fuentes=archivo.textos(chico["fuentes"], "grupo_chico.fuentes",
                                           modo=TAL_CUAL),
        grupo_chico_revisado=archivo.fecha(chico["revisado"], "grupo_chico.revisado"),
        clases=MappingProxyType(_clases(archivo, raiz["clases"])),
        pasos=tuple(_paso_camino(archivo, id, datos)
                    for id, datos in _mapa_de_ids(archivo, raiz["pasos"], "pasos").items()),
    )


def _tema_grupo(archivo: _Archivo, id: str, datos: Any, ruta: str) -> TemaGrupo:
    campos = archivo.mapa(datos, ruta, ("titulo", "texto"))
    return TemaGrupo(id=id, titulo=archivo.texto(campos["titulo"], f"{ruta}.titulo",
                                                 maximo=MAX_TITULO, modo=BOTON),
                     texto=archivo.texto(campos["texto"], f"{ruta}.texto"))


def _clases(archivo: _Archivo, valor: Any) -> dict[str, ClaseDeCooperativa]:
    esperadas = tuple(ClaseCooperativa)
    clases = {}
    for id, datos in _mapa_de_ids(archivo, valor, "clases").items():
        ruta = f"clases.{id}"
        archivo.eleccion(id, ruta, esperadas)
        campos = archivo.mapa(datos, ruta, ("titulo", "texto", "minimo_socios", "base",
                                            "fuentes", "revisado"))
        clases[id] = ClaseDeCooperativa(
            id=id,
            titulo=archivo.texto(campos["titulo"], f"{ruta}.titulo", maximo=MAX_BOTON,
                                 modo=BOTON),
            texto=archivo.texto(campos["texto"], f"{ruta}.texto"),
            minimo_socios=archivo.entero(campos["minimo_socios"], f"{ruta}.minimo_socios",
                                         2, 1000),
            base=archivo.texto(campos["base"], f"{ruta}.base", maximo=MAX_BASE, modo=TAL_CUAL),
            fuentes=archivo.textos(campos["fuentes"], f"{ruta}.fuentes", modo=TAL_CUAL),
            revisado=archivo.fecha(campos["revisado"], f"{ruta}.revisado"),
        )
    for id in esperadas:
        if id not in clases:
            raise archivo.error(f"clases.{id}", "falta esta clase (es obligatoria)")
    return clases


def _paso_camino(archivo: _Archivo, id: str, datos: Any) -> PasoCamino:
    """Un paso: sin fundamento legal, fuentes y fecha de revisión, el bot no arranca."""
    ruta = f"pasos.{id}"
    campos = archivo.mapa(datos, ruta, CAMPOS_PASO, ("constitutivo",))
    constitutivo = campos.get("constitutivo", False)
    if not isinstance(constitutivo, bool):
        raise archivo.error(f"{ruta}.constitutivo",
                            f"{_mostrar(constitutivo)} no es válido; usa true o false")
    paso = PasoCamino(
        id=id,
        titulo=archivo.texto(campos["titulo"], f"{ruta}.titulo", maximo=MAX_TITULO, modo=BOTON),
        texto=archivo.texto(campos["texto"], f"{ruta}.texto"),
        por_que=archivo.texto(campos["por_que"], f"{ruta}.por_que"),
        documentos=archivo.textos(campos["documentos"], f"{ruta}.documentos"),
        quien=archivo.texto(campos["quien"], f"{ruta}.quien"),
        donde=archivo.texto(campos["donde"], f"{ruta}.donde"),
        costo=archivo.texto(campos["costo"], f"{ruta}.costo"),
        tiempo=archivo.texto(campos["tiempo"], f"{ruta}.tiempo"),
        base=archivo.texto(campos["base"], f"{ruta}.base", maximo=MAX_BASE, modo=TAL_CUAL),
        fuentes=archivo.textos(campos["fuentes"], f"{ruta}.fuentes", modo=TAL_CUAL),
        revisado=archivo.fecha(campos["revisado"], f"{ruta}.revisado"),
        constitutivo=constitutivo,
    )
    total = sum(len(getattr(paso, c)) for c in ("titulo", "texto", "por_que", "quien", "donde",
                                                "costo", "tiempo", "base"))
    total += sum(map(len, paso.documentos)) + sum(map(len, paso.fuentes))
    if total > MAX_TEXTO:
        raise archivo.error(ruta, f"el paso suma {total} caracteres; el máximo es {MAX_TEXTO}")
    return paso


# --- Todo junto -----------------------------------------------------------------------------


def cargar_contenido(carpeta: Path) -> Contenido:
    """Carga y valida todo el contenido; lanza ContenidoInvalido con el primer error."""
    carpeta = Path(carpeta)
    # cursos.yaml es el catálogo de EJEMPLO: entra a la base solo si la configuración lo pide
    # (modo local y pruebas); lo avisa nucleo/catalogo.py al sembrarlo.
    cursos, de_ejemplo = _cargar_cursos(carpeta)
    return Contenido(
        carpeta=carpeta,
        municipios=_cargar_municipios(carpeta),
        orientacion=_cargar_orientacion(carpeta),
        oficina=_cargar_oficina(carpeta),
        privacidad=_cargar_privacidad(carpeta),
        cursos_ejemplo=cursos,
        cooperativa=_cargar_cooperativa(carpeta),
        cursos_de_ejemplo=de_ejemplo,
    )
