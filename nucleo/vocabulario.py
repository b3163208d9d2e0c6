"""El vocabulario del bot: un enum por idea, en un solo lugar.

Los valores son los que se guardan en la base y viajan en los botones: no cambian. Los
nombres que ve la gente (traducibles) van junto a cada enum.
"""

from __future__ import annotations

from enum import StrEnum

from nucleo.textos import N_


class Modalidad(StrEnum):
    """Cómo se toma un curso. Una sesión es presencial o en línea; un curso puede ser mixto."""

    PRESENCIAL = "presencial"
    EN_LINEA = "en_linea"
    MIXTA = "mixta"


MODALIDADES_DE_SESION = (Modalidad.PRESENCIAL, Modalidad.EN_LINEA)
NOMBRE_MODALIDAD = {
    Modalidad.PRESENCIAL: N_("Presencial"),
    Modalidad.EN_LINEA: N_("En línea"),
    Modalidad.MIXTA: N_("Mixta"),
}
ICONO_MODALIDAD = {Modalidad.PRESENCIAL: "🏫", Modalidad.EN_LINEA: "💻", Modalidad.MIXTA: "🔀"}


class EstadoSesion(StrEnum):
    PROGRAMADA = "programada"
    CANCELADA = "cancelada"


class EstadoInscripcion(StrEnum):
    INSCRITA = "inscrita"
    ESPERA = "espera"
    CANCELADA = "cancelada"  # la persona dejó su lugar (o salió de la espera)


class Inscribir(StrEnum):
    """Lo que pasó al pedir un lugar en una sesión."""

    INSCRITA = "inscrita"
    ESPERA = "espera"
    YA_INSCRITA = "ya_inscrita"
    YA_EN_ESPERA = "ya_en_espera"
    LLENA = "llena"  # pidió lugar y no había: decide si quiere esperar
    NO_EXISTE = "no_existe"
    PASADA = "pasada"
    SESION_CANCELADA = "sesion_cancelada"
    SIN_PERMISO = "sin_permiso"  # no aceptó el aviso de privacidad


class Asistencia(StrEnum):
    """Lo que pasó al escribir el código de asistencia."""

    REGISTRADA = "registrada"
    YA_REGISTRADA = "ya_registrada"
    NO_COINCIDE = "no_coincide"
    SIN_SESION_HOY = "sin_sesion_hoy"


# Los temas del catálogo de cursos: el id va en cursos.yaml y en los botones.
TEMAS = {
    "cooperativismo": N_("🤝 Cooperativismo"),
    "economia_solidaria": N_("💚 Economía solidaria"),
    "negocio": N_("💼 Tu negocio"),
    "oficios": N_("🛠️ Oficios"),
    "digital": N_("📱 Herramientas digitales"),
}


class EstadoAsesoria(StrEnum):
    """Una conversación con una persona asesora (/asesoria)."""

    NUEVA = "nueva"  # nadie del personal ha contestado desde que se abrió (o reabrió)
    ATENDIDA = "atendida"  # alguien del personal ya contestó
    CERRADA = "cerrada"  # el personal la cerró; si la persona vuelve a escribir, se reabre


NOMBRE_ESTADO_ASESORIA = {
    EstadoAsesoria.NUEVA: N_("nueva, sin respuesta todavía"),
    EstadoAsesoria.ATENDIDA: N_("atendida"),
    EstadoAsesoria.CERRADA: N_("cerrada"),
}


class TipoMensaje(StrEnum):
    """Lo que se le puede mandar a una persona asesora (y lo que ella contesta)."""

    TEXTO = "texto"
    FOTO = "foto"
    DOCUMENTO = "documento"
    VOZ = "voz"
    AUDIO = "audio"
    VIDEO = "video"


NOMBRE_TIPO_MENSAJE = {
    TipoMensaje.TEXTO: N_("texto"),
    TipoMensaje.FOTO: N_("foto"),
    TipoMensaje.DOCUMENTO: N_("documento"),
    TipoMensaje.VOZ: N_("nota de voz"),
    TipoMensaje.AUDIO: N_("audio"),
    TipoMensaje.VIDEO: N_("video"),
}
ICONO_TIPO_MENSAJE = {
    TipoMensaje.TEXTO: "💬", TipoMensaje.FOTO: "🖼️", TipoMensaje.DOCUMENTO: "📎",
    TipoMensaje.VOZ: "🎤", TipoMensaje.AUDIO: "🎵", TipoMensaje.VIDEO: "🎬",
}


# --- Cooperativas en formación (/cooperativa) --------------------------------------------------


class ClaseCooperativa(StrEnum):
    """Las clases de la Ley General de Sociedades Cooperativas (art. 21)."""

    CONSUMIDORES = "consumidores"
    PRODUCTORES = "productores"
    AHORRO_PRESTAMO = "ahorro_prestamo"


NOMBRE_CLASE = {
    ClaseCooperativa.CONSUMIDORES: N_("De consumo"),
    ClaseCooperativa.PRODUCTORES: N_("De producción"),
    ClaseCooperativa.AHORRO_PRESTAMO: N_("De ahorro y préstamo"),
}


class RolMiembro(StrEnum):
    """El papel de una persona en su grupo. Siempre hay UNA responsable (quien lo fundó o a
    quien le pasó la responsabilidad); ella nombra delegadas que le ayudan."""

    RESPONSABLE = "responsable"
    DELEGADA = "delegada"
    SOCIA = "socia"


NOMBRE_ROL = {
    RolMiembro.RESPONSABLE: N_("responsable"),
    RolMiembro.DELEGADA: N_("delegada"),
    RolMiembro.SOCIA: N_("socia o socio"),
}


class EstadoPaso(StrEnum):
    """Cómo va un paso del camino para un grupo."""

    BLOQUEADO = "bloqueado"  # la ley pide más personas socias antes de este paso
    PENDIENTE = "pendiente"
    POR_CONFIRMAR = "por_confirmar"  # alguien lo marcó; falta que otra persona lo confirme
    HECHO = "hecho"


ICONO_PASO = {EstadoPaso.BLOQUEADO: "🔒", EstadoPaso.PENDIENTE: "⬜",
              EstadoPaso.POR_CONFIRMAR: "🟡", EstadoPaso.HECHO: "✅"}


class EstadoAsamblea(StrEnum):
    PROGRAMADA = "programada"
    REALIZADA = "realizada"  # ya se anotaron acuerdos y asistencia
    CANCELADA = "cancelada"


class Invitacion(StrEnum):
    """Lo que pasa al abrir un enlace de invitación (o al aceptarla)."""

    VALIDA = "valida"
    NO_EXISTE = "no_existe"  # inventado, mal copiado o de un grupo que ya no existe
    ANULADA = "anulada"
    VENCIDA = "vencida"
    YA_ES_MIEMBRO = "ya_es_miembro"
    SIN_PERMISO = "sin_permiso"  # no aceptó el aviso de privacidad


# --- Anuncios del personal (/anuncio, /anuncios, /silenciar) ----------------------------------


class TipoAudiencia(StrEnum):
    """A quién va un anuncio. Los valores de cada tipo van en `Audiencia.valores`."""

    TODOS = "todos"  # sin valores
    MUNICIPIOS = "municipios"  # claves INEGI (perfiles.municipio_clave)
    REGIONES = "regiones"  # regiones de contenido/municipios.csv (si el personal las llenó)
    CURSO = "curso"  # ids de curso: inscrita o en espera en una sesión no cancelada del curso
    SESION = "sesion"  # ids de sesión (texto): inscrita o en espera en esa sesión
    PASO_COOPERATIVA = "paso_cooperativa"  # ids de paso: el paso en que va su grupo
    IDIOMA = "idioma"  # idioma en que el bot le habla ("es_MX", "en"; sin guardar: el de origen)
    RESULTADO = "resultado"  # ids de resultado de su orientación terminada más reciente


class MedioAnuncio(StrEnum):
    """Lo que un anuncio puede llevar además del texto (el texto va como pie)."""

    FOTO = "foto"
    DOCUMENTO = "documento"


class EstadoAnuncio(StrEnum):
    PROGRAMADO = "programado"  # espera su fecha; se puede cambiar o cancelar
    ENVIANDO = "enviando"  # sus filas están en la cola de envíos
    PAUSADO = "pausado"  # el personal lo pausó: sus filas pendientes quedan retenidas
    CANCELADO = "cancelado"
    TERMINADO = "terminado"
