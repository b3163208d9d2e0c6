"""El catálogo de cursos del programa: vive en la base (tabla `cursos`) y lo lleva el personal
desde Telegram (conversaciones/curso_personal.py) o con `python bot.py importar-cursos`.

`CatalogoCursos` se carga de la base al arrancar y se vuelve a leer después de cada cambio:
`cursos` son los activos, en orden (lo que ve la ciudadanía); `curso(id)` da también uno
desactivado (una sesión vieja lo nombra). Cada cambio va en UNA transacción con su línea en la
bitácora (nucleo/auditoria.py).

Una instalación de verdad empieza con el catálogo VACÍO. El de ejemplo (contenido/cursos.yaml,
cursos inventados) entra a la base solo si la configuración lo pide
(`Configuracion.cursos_de_ejemplo`: modo local y pruebas) y la tabla está vacía.

Aquí están también las reglas de cada dato de un curso (`leer_nombre`...), las mismas para el
bot y para la importación.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from html import escape

from nucleo.almacen import Almacen
from nucleo.almacen.cursos_catalogo import CAMPOS_DE_CURSO, CursoGuardado
from nucleo.auditoria import anotar
from nucleo.contenido import MAX_NOMBRE_CURSO, Contenido, Curso
from nucleo.reglas_sesion import DatoInvalido
from nucleo.reloj import Reloj
from nucleo.textos import N_
from nucleo.vocabulario import TEMAS, Modalidad

registro = logging.getLogger("coopera.catalogo")

LARGO_TEXTO_CURSO = 700  # descripción y requisitos: caben en la ficha del curso
HORAS_MAXIMAS = 500
# Lo que se guarda cuando un curso no pide nada (la ficha lo dice «No necesitas nada especial»).
REQUISITOS_NINGUNO = N_("Ninguno.")
_ID = re.compile(r"[a-z0-9_]{1,20}")


# --- reglas de cada dato ---------------------------------------------------------------------

def leer_nombre(texto: str) -> str:
    """Una línea de 3 a 60 caracteres, sin < > & (va en botones y títulos)."""
    limpio = " ".join(texto.split())
    if len(limpio) < 3 or not re.search(r"\w", limpio):
        raise DatoInvalido(N_("Escribe un nombre de al menos 3 letras."))
    if len(limpio) > MAX_NOMBRE_CURSO:
        raise DatoInvalido(N_("Es muy largo: {maximo} caracteres como máximo."),
                           maximo=MAX_NOMBRE_CURSO)
    if any(signo in limpio for signo in "<>&"):
        raise DatoInvalido(N_("El nombre va en un botón: escríbelo sin los signos < > &."))
    return limpio


def leer_parrafo(texto: str) -> str:
    """Descripción o requisitos: texto simple (se escapa para Telegram), hasta 700 caracteres;
    se respetan los saltos de línea."""
    lineas = [" ".join(linea.split()) for linea in texto.strip().splitlines()]
    limpio = "\n".join(lineas).strip()
    limpio = re.sub(r"\n{3,}", "\n\n", limpio)
    if len(limpio) < 3 or not re.search(r"\w", limpio):
        raise DatoInvalido(N_("Escribe un texto con letras o números."))
    if len(limpio) > LARGO_TEXTO_CURSO:
        raise DatoInvalido(N_("Es muy largo: {maximo} caracteres como máximo."),
                           maximo=LARGO_TEXTO_CURSO)
    return escape(limpio, quote=False)


def leer_horas(texto: str) -> int:
    """Horas enteras, de 1 a 500."""
    limpio = texto.strip()
    if not limpio.isdigit() or not 1 <= int(limpio) <= HORAS_MAXIMAS:
        raise DatoInvalido(N_("Escribe las horas con un número entero de 1 a {maximo}."),
                           maximo=HORAS_MAXIMAS)
    return int(limpio)


def leer_tema(texto: str) -> str:
    if texto.strip() not in TEMAS:
        raise DatoInvalido(N_("Ese tema no existe. Usa uno de: {temas}."),
                           temas=", ".join(TEMAS))
    return texto.strip()


def leer_modalidad_curso(texto: str) -> str:
    if texto.strip() not in tuple(Modalidad):
        raise DatoInvalido(N_("Esa modalidad no existe. Usa una de: {modalidades}."),
                           modalidades=", ".join(Modalidad))
    return texto.strip()


def leer_id(texto: str) -> str:
    if not _ID.fullmatch(texto.strip()):
        raise DatoInvalido(N_("El id debe tener de 1 a 20 letras minúsculas sin acentos, "
                              "números o _."))
    return texto.strip()


LECTORES = {"nombre": leer_nombre, "tema": leer_tema, "descripcion": leer_parrafo,
            "requisitos": leer_parrafo, "modalidad": leer_modalidad_curso,
            "duracion_horas": leer_horas}


def id_para(nombre: str, ocupados: Iterable[str]) -> str:
    """Un id corto y libre a partir del nombre: «Costura básica» → costura_basica."""
    sin_acentos = unicodedata.normalize("NFKD", nombre).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", sin_acentos.lower()).strip("_")[:17].strip("_")
    base = base or "curso"
    ocupados = set(ocupados)
    candidato, n = base, 2
    while candidato in ocupados:
        candidato, n = f"{base}_{n}", n + 1
    return candidato


# --- el catálogo -----------------------------------------------------------------------------

class NombreRepetido(DatoInvalido):
    def __init__(self) -> None:
        super().__init__(N_("Ya hay un curso con ese nombre. Escribe otro, por favor."))


class CatalogoCursos:
    """El catálogo en memoria, copia de la base; cada cambio lo guarda y lo vuelve a leer."""

    def __init__(self, almacen: Almacen, reloj: Reloj) -> None:
        self._almacen = almacen
        self._reloj = reloj
        self._guardados: list[CursoGuardado] = []
        self._por_id: dict[str, Curso] = {}
        self._activos: tuple[Curso, ...] = ()

    @classmethod
    async def abrir(cls, almacen: Almacen, reloj: Reloj,
                    ejemplo: tuple[Curso, ...] = ()) -> CatalogoCursos:
        """Lee el catálogo; si está vacío y hay `ejemplo`, lo siembra con él."""
        catalogo = cls(almacen, reloj)
        await catalogo.cargar()
        if not catalogo._guardados and ejemplo:
            async with almacen.transaccion() as bd:
                for curso in ejemplo:
                    await almacen.agregar_curso(curso, "ejemplo", None, reloj.ahora(), bd)
            await catalogo.cargar()
            registro.warning("El catálogo de cursos es el de EJEMPLO (contenido/cursos.yaml): "
                             "cursos inventados, solo para probar el bot.")
        return catalogo

    async def cargar(self) -> None:
        self._guardados = await self._almacen.cursos_guardados()
        self._por_id = {g.curso.id: g.curso for g in self._guardados}
        self._activos = tuple(g.curso for g in self._guardados if g.curso.activo)

    # --- leer --------------------------------------------------------------------------------

    @property
    def cursos(self) -> tuple[Curso, ...]:
        """Los cursos activos, en orden: lo que ve la ciudadanía."""
        return self._activos

    def curso(self, curso_id: str) -> Curso | None:
        """El curso aunque esté desactivado (una sesión vieja lo nombra); None si no existe."""
        return self._por_id.get(curso_id)

    def vigente(self, curso_id: str) -> Curso | None:
        """El curso solo si está activo."""
        curso = self._por_id.get(curso_id)
        return curso if curso is not None and curso.activo else None

    @property
    def todos(self) -> list[CursoGuardado]:
        """Todos, también los desactivados, con su origen (para el personal)."""
        return list(self._guardados)

    @property
    def solo_ejemplo(self) -> bool:
        """True si hay cursos y todos son del catálogo de ejemplo."""
        return bool(self._guardados) and all(g.origen == "ejemplo" for g in self._guardados)

    async def fechas_proximas(self, curso_id: str) -> int:
        return await self._almacen.fechas_proximas_del_curso(curso_id, self._reloj.ahora())

    # --- cambiar -----------------------------------------------------------------------------

    def _revisar_nombre_libre(self, nombre: str, menos: str | None = None) -> None:
        clave = nombre.casefold()
        if any(c.nombre.casefold() == clave and c.id != menos for c in self._por_id.values()):
            raise NombreRepetido()

    async def crear(self, curso: Curso, quien: int | None, origen: str = "personal") -> Curso:
        """Guarda un curso nuevo (con un id libre si el suyo está ocupado) y lo anota en la
        bitácora en la misma transacción. Lanza NombreRepetido."""
        self._revisar_nombre_libre(curso.nombre)
        if curso.id in self._por_id or not _ID.fullmatch(curso.id):
            curso = replace(curso, id=id_para(curso.nombre, self._por_id))
        ahora = self._reloj.ahora()
        async with self._almacen.transaccion() as bd:
            await self._almacen.agregar_curso(curso, origen, quien, ahora, bd)
            await anotar(self._almacen, ahora, quien, "curso_creado", f"curso {curso.id}",
                         origen, bd=bd)
        await self.cargar()
        return self._por_id[curso.id]

    async def importar(self, cursos: list[Curso], quien: int | None = None) -> None:
        """Varios cursos nuevos, todos juntos en una transacción (ya revisados)."""
        ahora = self._reloj.ahora()
        async with self._almacen.transaccion() as bd:
            for curso in cursos:
                await self._almacen.agregar_curso(curso, "importado", quien, ahora, bd)
            await anotar(self._almacen, ahora, quien, "cursos_importados", "csv",
                         f"{len(cursos)} cursos", bd=bd)
        await self.cargar()

    async def cambiar(self, curso_id: str, campo: str, valor: str | int,
                      quien: int | None) -> Curso | None:
        """Cambia un dato (ya leído con su regla); None si el curso no existe."""
        if campo not in CAMPOS_DE_CURSO:
            raise ValueError(f"campo desconocido: {campo}")
        if campo == "nombre":
            self._revisar_nombre_libre(str(valor), menos=curso_id)
        ahora = self._reloj.ahora()
        async with self._almacen.transaccion() as bd:
            if not await self._almacen.cambiar_curso(curso_id, campo, valor, ahora, bd):
                return None
            await anotar(self._almacen, ahora, quien, "curso_cambiado", f"curso {curso_id}",
                         campo, bd=bd)
        await self.cargar()
        return self._por_id.get(curso_id)

    async def activar(self, curso_id: str, activo: bool, quien: int | None) -> bool:
        """Desactiva o reactiva; False si no existe o ya estaba así. Quien llama revisa antes
        que un curso por desactivar no tenga fechas próximas."""
        ahora = self._reloj.ahora()
        accion = "curso_reactivado" if activo else "curso_desactivado"
        async with self._almacen.transaccion() as bd:
            if not await self._almacen.activar_curso(curso_id, activo, ahora, bd):
                return False
            await anotar(self._almacen, ahora, quien, accion, f"curso {curso_id}", bd=bd)
        await self.cargar()
        return True


def ids_de_orientacion_sin_curso(contenido: Contenido, catalogo: CatalogoCursos) -> list[str]:
    """Los cursos que nombra la orientación (resultados y extras) y no están activos en el
    catálogo: no se muestran. Se dicen una vez al arrancar."""
    orientacion = contenido.orientacion
    nombrados = [*(i for r in orientacion.resultados.values() for i in r.cursos),
                 *(i for e in orientacion.extras for i in e.cursos)]
    return [i for i in dict.fromkeys(nombrados) if catalogo.vigente(i) is None]
