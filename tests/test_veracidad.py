"""Todo lo que el bot dice es cierto: el aviso de privacidad nombra cada dato que la base puede
guardar, cada pantalla del primer contacto cabe en un celular, y nadie es mandado a una oficina
sin dirección."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from emulador import UsuarioFicticio
from nucleo.almacen.sesiones import FilaLista
from nucleo.contenido import Contenido
from nucleo.listas import csv_de_lista
from nucleo.vocabulario import EstadoInscripcion
from tests.conversador import ID_PERSONAL, BotDePrueba, Persona

RAIZ = Path(__file__).resolve().parent.parent
MIGRACIONES = RAIZ / "nucleo" / "almacen" / "migraciones"

# Lo que cabe en la pantalla de un celular antes de los botones, sin desplazarse mucho.
MAXIMO_POR_PANTALLA = 900

# Cada tabla de la base y lo que el aviso integral debe decir de ella (todas las frases deben
# aparecer). Una tabla nueva que no esté aquí hace fallar la prueba: quien la agrega debe
# nombrar en contenido/privacidad.yaml lo que guarda, y agregarla aquí.
DATOS_EN_EL_AVISO: dict[str, tuple[str, ...]] = {
    "personas": ("número de usuario de Telegram", "idioma", "respuesta a este aviso",
                 "ya no te puede escribir", "pediste no recibir anuncios"),
    "perfiles": ("tu nombre", "tu municipio", "tu sexo", "tu edad", "discapacidad",
                 "lengua indígena"),
    "orientaciones": ("orientación: tus respuestas y el resultado",),
    "orientaciones_en_curso": ("orientación: tus respuestas",),
    "conversaciones": ("En qué paso vas",),
    "inscripciones": ("te inscribes", "lista de espera", "si fuiste"),
    "recordatorios": ("recordatorios",),
    "avisos_fechas": ("avisemos cuando haya fechas de un curso", "Lo borramos al avisarte"),
    "encuestas": ("calificación", "comentario"),
    "envios": ("avisos que el bot te va a mandar",),
    "entrada": ("Cada mensaje que recibe el bot se guarda solo unos segundos",),
    "asesorias": ("asesoría", "las fechas", "qué persona del personal te contestó"),
    "mensajes_asesoria": ("textos completos", "el archivo se queda en Telegram"),
    "copias_asesoria": ("se copia al personal", "Telegram no deja borrar"),
    "cooperativas": ("los grupos en que estás",),
    "miembros_cooperativa": ("tu papel",),
    "invitaciones_cooperativa": ("quién hizo cada enlace para invitar",),
    "pasos_cooperativa": ("los pasos que marcas",),
    "evidencias_cooperativa": ("fotos o documentos de esos pasos",),
    "asambleas": ("asambleas",),
    "asistencias_asamblea": ("si vas y si fuiste",),
    "recordatorios_asamblea": ("asambleas",),
    "asesorias_cooperativa": ("lo que anota el personal cuando asesora al grupo",),
}
# Tablas sin datos de las personas usuarias (solo del programa o del personal).
SIN_DATOS_DE_PERSONAS = {
    "sesiones",             # las fechas de los cursos
    "cursos",               # el catálogo de cursos del programa (lo lleva el personal)
    "borradores_personal",  # la sesión que el personal está creando
    "entrada_recibida",     # el número de la última actualización recibida
    "respuestas_en_curso",  # a qué conversación contesta cada persona del personal
    "roles",                # los roles del personal
    "auditoria",            # lo que hace el personal (si guarda datos de personas, al aviso)
    "anuncios",             # lo que escribe el personal para todos (a quién: en `envios`)
}


def _tablas_de_las_migraciones() -> set[str]:
    tablas = set()
    for archivo in sorted(MIGRACIONES.glob("*.sql")):
        sql = archivo.read_text(encoding="utf-8")
        tablas |= set(re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", sql))
        # 0004 crea envios_nueva y la renombra a envios
        for vieja, nueva in re.findall(r"ALTER TABLE (\w+) RENAME TO (\w+)", sql):
            tablas.discard(vieja)
            tablas.add(nueva)
    return tablas


def _aviso_integral(contenido: Contenido) -> str:
    return "\n".join(f"{s.titulo}\n{s.texto}" for s in contenido.privacidad.integral)


def test_el_aviso_nombra_cada_dato_que_la_base_puede_guardar(contenido_real: Contenido) -> None:
    tablas = _tablas_de_las_migraciones()
    assert {"personas", "mensajes_asesoria", "evidencias_cooperativa"} <= tablas
    sin_mencion = tablas - DATOS_EN_EL_AVISO.keys() - SIN_DATOS_DE_PERSONAS
    assert not sin_mencion, f"tablas nuevas: nombrar en contenido/privacidad.yaml {sin_mencion}"
    aviso = _aviso_integral(contenido_real)
    faltan = {tabla: frase for tabla in tablas & DATOS_EN_EL_AVISO.keys()
              for frase in DATOS_EN_EL_AVISO[tabla] if frase not in aviso}
    assert not faltan


def test_el_aviso_dice_lo_que_pide_la_ley(contenido_real: Contenido) -> None:
    integral = _aviso_integral(contenido_real)
    simplificado = contenido_real.privacidad.simplificado
    # Telegram es un tercero; las finalidades necesarias y las que piden permiso, por separado.
    for texto in (integral, simplificado):
        assert "Telegram" in texto and "estadísticas sin nombres" in texto
        assert "/mis_datos" in texto and "/perfil" in texto and "/asesoria" in texto
    assert "Para darte el servicio." in integral and "Con tu permiso." in integral
    assert "Preguntamos por la lengua indígena para" in integral
    assert "https://telegram.org/privacy" in integral
    # Cada derecho, cómo usarlo en el bot y fuera de él, y dónde quejarse (con cuidado).
    for derecho in ("Acceso", "Rectificación", "Cancelación", "Oposición", "Portabilidad"):
        assert derecho in integral
    assert "Unidad de Transparencia" in integral and "{contacto}" in integral
    assert "hasta donde sabemos" in integral and "Pregunta en /asesoria" in integral
    assert "15 a 17 años" in integral
    assert "hasta que tú los borres o hasta que termine el programa" in integral
    assert "48 horas" in integral
    # Lo que ninguna fuente respalda ya no se dice.
    assert "meta 8.5" not in integral and "acude" not in integral.lower()


async def test_bienvenida_y_aviso_caben_cada_uno_en_una_pantalla(ana: Persona,
                                                                 john: Persona) -> None:
    for persona, saludo, aviso in ((ana, "Hola, Ana", "Aviso de privacidad"),
                                   (john, "Hi, John", "Privacy notice")):
        bienvenida, simplificado = await persona.escribe("/start")
        assert saludo in bienvenida.texto_plano and not bienvenida.botones()
        assert aviso in simplificado.texto_plano and len(simplificado.botones()) == 3
        for mensaje in (bienvenida, simplificado):
            assert len(mensaje.texto_plano) <= MAXIMO_POR_PANTALLA, mensaje.texto_plano
        # el resto, a un botón
        assert "📄" in simplificado.botones()[-1]["text"]


# --- la oficina sin dirección y lo que ve el personal ------------------------------------------


def test_sin_direccion_nadie_es_mandado_a_la_oficina(contenido_real: Contenido) -> None:
    """El contenido real aún no tiene dirección: ningún texto manda a la oficina."""
    assert contenido_real.oficina.direccion is None
    textos = [contenido_real.privacidad.simplificado, _aviso_integral(contenido_real)]
    codigo = [archivo.read_text(encoding="utf-8")
              for carpeta in ("handlers", "interfaz", "conversaciones")
              for archivo in (RAIZ / carpeta).glob("*.py")]
    for texto in textos + codigo:
        assert not re.search(r"acude a la oficina|Pregunta en las oficinas", texto, re.I)
    assert not re.search(r"cursos? (gratis|gratuitos)", "\n".join(textos + codigo), re.I)


async def test_faltan_datos_de_la_oficina_al_arrancar_y_en_personal(
        bot: BotDePrueba, caplog: pytest.LogCaptureFixture) -> None:
    avisos = [r.getMessage() for r in caplog.get_records("setup")
              if r.levelno == logging.WARNING and "oficina.yaml" in r.getMessage()]
    assert len(avisos) == 1
    assert "direccion, telefono, horario, correo" in avisos[0] and "/asesoria" in avisos[0]
    personal = bot.persona(UsuarioFicticio(ID_PERSONAL, first_name="Marta"))
    await personal.escribe("/personal")
    assert "Faltan datos de la oficina" in personal.texto()
    assert "dirección, teléfono, horario, correo" in personal.texto()


async def test_ayuda_ofrece_asesoria(ana: Persona) -> None:
    await ana.escribe("/ayuda")
    assert "/asesoria" in ana.texto() and "Pregunta en /asesoria" not in ana.texto()
    assert "💬 Hablar con una persona asesora" in ana.botones()


async def test_la_lista_del_personal_no_lleva_sexo_ni_edad(bot: BotDePrueba) -> None:
    csv = bot.coopera.aplicacion.bot_data["servicios"].contenido
    filas = [FilaLista(inscripcion_id=1, telegram_id=101, posicion=1,
                       estado=EstadoInscripcion.INSCRITA, nombre="Ana",
                       municipio_clave="21114", sexo="mujer", rango_edad="25_34", asistio=None)]
    texto = csv_de_lista(csv, lambda s: s, filas).decode("utf-8-sig")
    assert texto.splitlines()[0] == "posición,estado,nombre,municipio,asistió"
    assert "Mujer" not in texto and "mujer" not in texto and "25" not in texto
