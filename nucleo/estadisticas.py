"""Las cifras del programa (/estadisticas y `python bot.py estadisticas`): qué se cuenta, cómo se
desagrega y qué cifras se ocultan. Las consultas están en nucleo/almacen/estadisticas.py; el
texto, el CSV y la gráfica, en nucleo/estadisticas_salida.py.

Se desagrega por sexo, rango de edad (15 a 24 años aparte: la meta 8.5 de los ODS), municipio
(o región, si el personal llenó la columna `region` de contenido/municipios.csv), discapacidad y
lengua indígena. Quien no contestó cuenta en «sin dato»: así cada desglose suma su total.

Regla de ocultamiento (para que nadie pueda ser señalado):
1. Una celda con 1 a 4 se muestra «<5» (nunca el número). El 0 se muestra.
2. Si un desglose con su total a la vista queda con UNA sola celda «<5», se oculta también la
   celda más chica de las demás que no sea 0 y se muestra «*» (la «segunda celda»): así el total
   menos lo que se ve nunca da la cifra oculta. Cuando el total es lo único que la delataría
   (personas registradas = con consentimiento + sin él, y «con consentimiento» es el total de
   todos sus desgloses), se oculta el total («*») en vez de otra celda.
3. Si el total es de 1 a 4, se oculta el total y toda celda que no sea 0.
4. Los promedios (satisfacción, tiempo de respuesta) solo se muestran con 5 casos o más; si un
   solo curso queda oculto, también se oculta el promedio de todos («*»), que lo delataría.
Cada desglose es de una sola variable sobre el mismo total; no se publican cruces de dos
variables, que permitirían despejar una celda con otro desglose.
Lo único que no se oculta: cuántos anuncios empezaron a salir (no cuenta personas).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import mean, median
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from nucleo.almacen.estadisticas import FilaCifras
from nucleo.perfil import EDAD, SEXO, SI_NO
from nucleo.textos import N_

if TYPE_CHECKING:
    from nucleo.almacen import Almacen
    from nucleo.contenido import Contenido

UMBRAL = 5
OCULTO = "<5"
OCULTO_SEGUNDA = "*"  # oculta para que no se despeje un «<5» del total
SIN_DATO = "sin_dato"
# Desgloses por persona, en el orden en que se muestran.
DIMENSIONES = ("sexo", "rango_edad", "territorio", "discapacidad", "lengua_indigena")
NOMBRES_DESGLOSE = {
    "total": N_("Total"), "sexo": N_("Sexo"), "rango_edad": N_("Rango de edad"),
    "municipio": N_("Municipio"), "region": N_("Región"), "discapacidad": N_("Discapacidad"),
    "lengua_indigena": N_("Lengua indígena"), "consentimiento": N_("Aviso de privacidad"),
    "resultado": N_("Resultado"), "curso": N_("Curso"), "paso": N_("Paso"),
    "estado": N_("Estado"),
    "anuncios": N_("Anuncios"), "mensajes": N_("Mensajes"), "alcanzadas": N_("Personas"),
}
# Las categorías de las cifras de anuncios (desgloses «anuncios», «mensajes» y «alcanzadas»).
ETIQUETAS_ANUNCIOS = {
    "iniciados": N_("Empezaron a salir en el periodo"),
    "entregado": N_("Entregados"), "fallido": N_("Fallidos"),
    "inalcanzable": N_("Nos bloquearon"), "incierto": N_("Inciertos (no se repiten)"),
    "sin_enviar": N_("Sin enviar (cancelados o por salir)"),
    "alcanzadas": N_("Recibieron al menos uno"),
}
# Cómo se agrupan los estados de sus filas en la cola de envíos.
MENSAJES_ANUNCIO = {
    "enviado": "entregado", "fallido": "fallido", "vencido": "fallido",
    "inalcanzable": "inalcanzable", "incierto": "incierto", "pendiente": "sin_enviar",
    "enviando": "sin_enviar", "retenido": "sin_enviar", "cancelado": "sin_enviar",
}
INDICADORES = {
    "personas": N_("Personas registradas"),
    "consentimiento": N_("Personas con consentimiento"),
    "orientaciones": N_("Orientaciones completadas"),
    "inscripciones": N_("Inscripciones a cursos"),
    "asistencia": N_("Asistencias a cursos"),
    "encuestas": N_("Encuestas de satisfacción respondidas"),
    "satisfaccion": N_("Satisfacción promedio (1 a 5)"),
    "cooperativas": N_("Cooperativas que confirmaron cada paso"),
    "asesoria": N_("Conversaciones de asesoría"),
    "respuesta": N_("Minutos hasta la primera respuesta (mediana)"),
    "anuncios": N_("Anuncios y su alcance"),
}


@dataclass(frozen=True)
class Cuadro:
    """Un desglose: celdas (categoría, número) de un indicador y, si suman uno, su total."""

    indicador: str
    desglose: str
    celdas: tuple[tuple[str, int], ...]
    total: int | None
    segunda_en_total: bool = False  # regla 2: ocultar el total, no otra celda
    sin_ocultar: bool = False  # no cuenta personas (cuántos anuncios): nada que ocultar

    def mostrado(self) -> tuple[list[str], str | None]:
        """Lo que se puede mostrar de cada celda y del total (regla del módulo)."""
        if self.sin_ocultar:
            return [str(n) for _c, n in self.celdas], (
                None if self.total is None else str(self.total))
        return ocultar([n for _c, n in self.celdas], self.total, self.segunda_en_total)


@dataclass(frozen=True)
class Promedio:
    indicador: str
    clave: str  # el curso; '' para todo
    casos: int
    valor: float | None
    suprimido: bool = False  # regla 4: delataría el de un curso oculto

    def mostrado(self) -> str:
        if self.valor is None or self.casos == 0:
            return "—"
        if self.casos < UMBRAL:
            return OCULTO
        return OCULTO_SEGUNDA if self.suprimido else f"{self.valor:.1f}"


@dataclass
class Informe:
    desde: date
    hasta: date  # incluido
    territorio: str  # 'municipio' o 'region'
    cuadros: list[Cuadro] = field(default_factory=list)
    promedios: list[Promedio] = field(default_factory=list)
    anuncios_disponibles: bool = False

    def cuadro(self, indicador: str, desglose: str) -> Cuadro | None:
        return next((c for c in self.cuadros
                     if c.indicador == indicador and c.desglose == desglose), None)


def ocultar(valores: list[int], total: int | None, segunda_en_total: bool = False
            ) -> tuple[list[str], str | None]:
    """Aplica la regla de ocultamiento a las celdas de un desglose y a su total."""
    if total is not None and 0 < total < UMBRAL:
        return [OCULTO if v else "0" for v in valores], OCULTO
    textos = [OCULTO if 0 < v < UMBRAL else str(v) for v in valores]
    texto_total = None if total is None else str(total)
    if total is not None and textos.count(OCULTO) == 1:
        if segunda_en_total:
            return textos, OCULTO_SEGUNDA
        otras = [(v, i) for i, v in enumerate(valores) if v >= UMBRAL]
        if otras:
            textos[min(otras)[1]] = OCULTO_SEGUNDA
    return textos, texto_total


def periodo_utc(desde: date, hasta: date, zona: ZoneInfo) -> tuple[datetime, datetime]:
    """Del primer instante de `desde` al primero del día siguiente a `hasta`, hora local."""
    inicio = datetime.combine(desde, time(), zona)
    fin = datetime.combine(hasta + timedelta(days=1), time(), zona)
    return inicio, fin


def _valor(fila: FilaCifras, dimension: str, territorio: Callable[[str | None], str | None]
           ) -> str:
    if dimension == "territorio":
        valor = territorio(fila.municipio_clave)
    else:
        valor = getattr(fila, dimension)
    return valor or SIN_DATO


def _orden(claves: Iterable[str], orden: tuple[str, ...]) -> list[str]:
    """Primero las del orden conocido, luego las demás por nombre; «sin dato» al final."""
    claves = set(claves)
    primero = [c for c in orden if c in claves]
    resto = sorted(claves - set(orden) - {SIN_DATO})
    return primero + resto + ([SIN_DATO] if SIN_DATO in claves else [])


def desgloses(indicador: str, filas: list[FilaCifras], territorio: str,
              region_de: Callable[[str | None], str | None],
              ordenes: dict[str, tuple[str, ...]]) -> list[Cuadro]:
    """El total y un desglose por cada dimensión de las personas (cada uno suma el total)."""
    total = len(filas)
    cuadros = [Cuadro(indicador, "total", (("total", total),), None)]
    for dimension in DIMENSIONES:
        cuenta = Counter(_valor(f, dimension, region_de) for f in filas)
        nombre = territorio if dimension == "territorio" else dimension
        claves = _orden(cuenta, ordenes.get(nombre, ()))
        if dimension != "territorio":  # las opciones fijas se muestran aunque sean 0
            claves = _orden(set(claves) | set(ordenes.get(nombre, ())), ordenes.get(nombre, ()))
        cuadros.append(Cuadro(indicador, nombre, tuple((c, cuenta[c]) for c in claves), total))
    return cuadros


def por_clave(indicador: str, desglose: str, claves: Iterable[str],
              orden: tuple[str, ...] = (), con_total: bool = True) -> Cuadro:
    cuenta = Counter(claves)
    total = sum(cuenta.values())
    return Cuadro(indicador, desglose,
                  tuple((c, cuenta[c]) for c in _orden(cuenta, orden)),
                  total if con_total else None)


def calcular(*, desde: date, hasta: date, territorio: str,
             region_de: Callable[[str | None], str | None],
             ordenes: dict[str, tuple[str, ...]],
             personas: list[FilaCifras], orientaciones: list[FilaCifras],
             inscripciones: list[tuple[FilaCifras, bool, int | None]],
             pasos: dict[str, int], asesoria: list[FilaCifras],
             anuncios: list[Cuadro] | None = None) -> Informe:
    """Todas las cifras de un periodo, a partir de las filas del almacén."""
    informe = Informe(desde, hasta, territorio)
    cuadros = informe.cuadros
    cuenta = Counter(f.clave for f in personas)
    cuadros.append(Cuadro("personas", "consentimiento",
                          tuple((c, cuenta[c]) for c in ("aceptado", "rechazado")),
                          len(personas), segunda_en_total=True))
    con_permiso = [f for f in personas if f.clave == "aceptado"]
    cuadros += desgloses("consentimiento", con_permiso, territorio, region_de, ordenes)

    cuadros += desgloses("orientaciones", orientaciones, territorio, region_de, ordenes)
    cuadros.append(por_clave("orientaciones", "resultado", (f.clave for f in orientaciones),
                             ordenes.get("resultado", ())))

    inscritas = [f for f, _a, _p in inscripciones]
    asistieron = [f for f, asistio, _p in inscripciones if asistio]
    cursos = ordenes.get("curso", ())
    cuadros.append(por_clave("inscripciones", "curso", (f.clave for f in inscritas), cursos))
    cuadros += desgloses("inscripciones", inscritas, territorio, region_de, ordenes)
    cuadros.append(por_clave("asistencia", "curso", (f.clave for f in asistieron), cursos))
    cuadros += desgloses("asistencia", asistieron, territorio, region_de, ordenes)
    puntos: dict[str, list[int]] = {}
    for fila, _asistio, puntuacion in inscripciones:
        if puntuacion is not None:
            puntos.setdefault(fila.clave, []).append(puntuacion)
    cuadros.append(por_clave("encuestas", "curso",
                             (c for c, lista in puntos.items() for _p in lista), cursos))
    todas = [p for lista in puntos.values() for p in lista]
    for curso in _orden(puntos, cursos):
        informe.promedios.append(Promedio("satisfaccion", curso, len(puntos[curso]),
                                          mean(puntos[curso])))
    un_oculto = sum(1 for lista in puntos.values() if len(lista) < UMBRAL) == 1
    informe.promedios.append(Promedio("satisfaccion", "", len(todas),
                                      mean(todas) if todas else None, suprimido=un_oculto))

    orden_pasos = ordenes.get("paso", ())
    cuadros.append(Cuadro("cooperativas", "paso",
                          tuple((p, pasos.get(p, 0)) for p in _orden(
                              set(pasos) | set(orden_pasos), orden_pasos)), None))

    cuadros += desgloses("asesoria", asesoria, territorio, region_de, ordenes)
    cuadros.append(por_clave("asesoria", "estado", (f.clave for f in asesoria),
                             ("nueva", "atendida", "cerrada")))
    minutos = [f.valor for f in asesoria if f.valor is not None]
    informe.promedios.append(Promedio("respuesta", "", len(minutos),
                                      median(minutos) if minutos else None))

    if anuncios is not None:
        informe.anuncios_disponibles = True
        cuadros += anuncios
    return informe


async def armar_informe(almacen: Almacen, contenido: Contenido, zona: ZoneInfo,
                        desde: date, hasta: date) -> Informe:
    """Lee del almacén las cifras del periodo (días locales, `hasta` incluido) y las cuenta."""
    inicio, fin = periodo_utc(desde, hasta, zona)
    municipios = list(contenido.municipios)
    if any(m.region for m in municipios):
        territorio = "region"
        regiones = {m.clave: m.region for m in municipios}

        def region_de(clave: str | None) -> str | None:
            return regiones.get(clave) if clave else None
    else:
        territorio = "municipio"

        def region_de(clave: str | None) -> str | None:
            return clave
    ordenes = {
        "sexo": tuple(c for c, _t in SEXO), "rango_edad": tuple(c for c, _t in EDAD),
        "discapacidad": tuple(c for c, _t in SI_NO),
        "lengua_indigena": tuple(c for c, _t in SI_NO),
        "resultado": tuple(contenido.orientacion.resultados),
        "curso": tuple(c.id for c in contenido.cursos),
        "paso": tuple(p.id for p in contenido.cooperativa.pasos),
    }
    return calcular(
        desde=desde, hasta=hasta, territorio=territorio, region_de=region_de, ordenes=ordenes,
        personas=await almacen.cifras_personas(inicio, fin),
        orientaciones=await almacen.cifras_orientaciones(inicio, fin),
        inscripciones=await almacen.cifras_inscripciones(inicio, fin),
        pasos=await almacen.cifras_pasos_cooperativas(inicio, fin),
        asesoria=await almacen.cifras_asesoria(inicio, fin),
        anuncios=await cifras_anuncios(almacen, inicio, fin, territorio=territorio,
                                       region_de=region_de, ordenes=ordenes),
    )


async def cifras_anuncios(almacen: Almacen, inicio: datetime, fin: datetime, *,
                          territorio: str = "municipio",
                          region_de: Callable[[str | None], str | None] = lambda c: c,
                          ordenes: dict[str, tuple[str, ...]] | None = None
                          ) -> list[Cuadro] | None:
    """Los anuncios que empezaron a salir en el periodo y su alcance: cuántos (sin ocultar:
    no son personas), sus mensajes (entregados, fallidos, nos bloquearon, inciertos, sin
    enviar) y las personas a quienes les llegó al menos uno, desagregadas como las demás
    cifras. None si la base aún no tiene anuncios (el informe lo dice)."""
    if not await almacen.hay_tabla("anuncios"):
        return None
    anuncios, estados, alcanzadas = await almacen.cifras_anuncios(inicio, fin)
    mensajes = Counter()
    for estado, n in estados.items():
        mensajes[MENSAJES_ANUNCIO.get(estado, "sin_enviar")] += n
    orden = ("entregado", "fallido", "inalcanzable", "incierto", "sin_enviar")
    return [
        Cuadro("anuncios", "anuncios", (("iniciados", anuncios),), None, sin_ocultar=True),
        Cuadro("anuncios", "mensajes", tuple((c, mensajes[c]) for c in orden),
               sum(mensajes.values())),
        Cuadro("anuncios", "alcanzadas", (("alcanzadas", len(alcanzadas)),), None),
        # Sin el «total» de desgloses: es el de «alcanzadas».
        *desgloses("anuncios", alcanzadas, territorio, region_de, ordenes or {})[1:],
    ]
