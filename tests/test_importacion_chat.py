"""El personal manda el CSV de sesiones al bot en su chat: revisar, contar y luego importar.

Todo por la Bot API emulada: el documento llega como lo manda Telegram, el bot lo baja con
getFile y la ruta de archivos, lo revisa con `nucleo/importacion.py` y solo importa al pulsar
«Importar» (en una transacción, con su anotación en la bitácora). Un CSV de la ciudadanía nunca
entra aquí.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram.error import BadRequest, TelegramError

from emulador import UsuarioFicticio
from tests.conversador import ID_PERSONAL, BotDePrueba, Persona, textos

ENCABEZADO = ("curso_id,fecha,hora,duracion_min,modalidad,cupo,municipio,lugar,direccion,"
              "mapa_url,enlace")
PRESENCIAL = ('coop_basico,2026-12-01,10:00,120,presencial,20,Puebla,Casa de la Cultura,'
              '"5 Oriente 5, Centro",https://maps.example.org/?q=casa,')
OTRA_PRESENCIAL = ('coop_basico,2026-12-08,10:00,120,presencial,20,Puebla,Casa de la Cultura,'
                   '"5 Oriente 5, Centro",,')
EN_LINEA = "plan_negocio,02/12/2026,16:30,90,en_linea,50,,,,,https://meet.example.org/abc"
BUENO = f"{ENCABEZADO}\n{PRESENCIAL}\n{OTRA_PRESENCIAL}\n{EN_LINEA}\n".encode()


@pytest.fixture
def personal(bot: BotDePrueba) -> Persona:
    return bot.persona(UsuarioFicticio(ID_PERSONAL, first_name="Marta", language_code="es"))


async def sesiones(bot: BotDePrueba) -> list:
    return await bot.almacen.sesiones_para_personal(datetime(2000, 1, 1, tzinfo=UTC), 1000)


def descargas(bot: BotDePrueba) -> list[str]:
    """Los file_id que el bot pidió con getFile."""
    return [p.parametros.get("file_id") for p in bot.emulador.peticiones
            if p.metodo == "getFile"]


async def test_con_el_boton_revisa_cuenta_e_importa_en_una_transaccion(
        bot: BotDePrueba, personal: Persona) -> None:
    await personal.escribe("/personal")
    await personal.pulsa("📥 Importar sesiones de un CSV")
    assert "Mándame aquí el archivo CSV" in personal.texto()
    [resumen] = await personal.envia_documento("sesiones.csv", BUENO)
    texto = resumen.texto_plano
    assert "El archivo está bien." in texto and "Se crearían 3 sesiones:" in texto
    assert "Cooperativas" in texto or "coop" in texto.lower()
    assert "2 sesiones, del " in texto and "1 sesión, " in texto  # por curso, con plurales
    assert personal.botones() == ["📥 Importar", "✖️ Cancelar"]
    assert await sesiones(bot) == []  # revisar no guarda nada
    await personal.pulsa("📥 Importar")
    assert "Listo: importé 3 sesiones. Ya aparecen para inscribirse." in personal.texto()
    assert len(await sesiones(bot)) == 3
    [anotacion] = await bot.almacen.auditoria(10)
    assert (anotacion.quien, anotacion.accion, anotacion.detalle) == (
        ID_PERSONAL, "importacion", "3 sesiones")
    # Se bajó dos veces (al revisar y al importar): se revisa otra vez antes de guardar.
    assert len(descargas(bot)) == 2
    # El botón viejo no importa otra vez.
    await personal.pulsa_datos("pers:imp:si")
    assert len(await sesiones(bot)) == 3


async def test_un_csv_suelto_del_personal_se_revisa_y_con_errores_no_entra_nada(
        bot: BotDePrueba, personal: Persona) -> None:
    malo = (f"{ENCABEZADO}\n{PRESENCIAL}\n"
            "coop_basico,31/02/2026,10:00,120,presencial,20,Puebla,Casa,Calle 1,,\n"
            "nada,2026-12-03,25:00,120,presencial,0,Puebla,Casa,Calle 1,,\n").encode()
    [respuesta] = await personal.envia_documento("sesiones.csv", malo)
    texto = respuesta.texto_plano
    assert texto.startswith("No importé nada: el archivo tiene ")
    assert "línea 3, columna fecha" in texto and "línea 4, columna curso_id" in texto
    assert "línea 4, columna hora" in texto and "línea 4, columna cupo" in texto
    assert await sesiones(bot) == []
    # Otro archivo, ya bien, en el mismo paso; y luego «Cancelar».
    [resumen] = await personal.envia_documento("corregido.csv",
                                               f"{ENCABEZADO}\n{PRESENCIAL}\n".encode())
    assert "Se crearía 1 sesión:" in resumen.texto_plano
    await personal.pulsa("✖️ Cancelar")
    assert personal.texto() == "Listo, no importé nada."
    assert await sesiones(bot) == [] and await bot.almacen.auditoria(10) == []


async def test_un_solo_error_se_dice_en_singular(bot: BotDePrueba, personal: Persona) -> None:
    una = f"{ENCABEZADO}\nnada,2026-12-03,10:00,120,en_linea,5,,,,,https://x.example.org\n"
    [respuesta] = await personal.envia_documento("s.csv", una.encode())
    assert "el archivo tiene 1 error." in respuesta.texto_plano


@pytest.mark.parametrize(("datos", "se_dice"), [
    (b"curso_id;fecha\n" + "Tehuacán".encode("latin-1"), "no está en UTF-8"),
    (b"", "está vacío"),
    (b"curso,cuando,donde\ncoop_basico,2026-12-01,Puebla\n", "columna desconocida"),
    (f"{ENCABEZADO}\n".encode(), "solo tiene el encabezado"),
])
async def test_archivos_mal_hechos_reciben_una_respuesta_clara(
        bot: BotDePrueba, personal: Persona, datos: bytes, se_dice: str) -> None:
    [respuesta] = await personal.envia_documento("sesiones.csv", datos)
    assert "No importé nada" in respuesta.texto_plano and se_dice in respuesta.texto_plano
    assert respuesta.botones() and await sesiones(bot) == []


async def test_otros_documentos_mientras_espera_el_csv(bot: BotDePrueba,
                                                       personal: Persona) -> None:
    await personal.escribe("/personal")
    await personal.pulsa("📥 Importar sesiones de un CSV")
    [respuesta] = await personal.envia_documento("sesiones.xlsx", b"PK\x03\x04")
    assert "archivo de Excel" in respuesta.texto_plano and "CSV UTF-8" in respuesta.texto_plano
    [respuesta] = await personal.envia_documento("foto.pdf", b"%PDF-1.4")
    assert "no es un CSV" in respuesta.texto_plano
    [respuesta] = await personal.escribe("aquí va")
    assert "como documento" in respuesta.texto_plano
    assert descargas(bot) == []  # nada de eso se bajó
    # Sigue esperando: el CSV entra.
    [resumen] = await personal.envia_documento("sesiones.csv", BUENO)
    assert "Se crearían 3 sesiones:" in resumen.texto_plano


async def test_un_archivo_enorme_no_se_baja(bot: BotDePrueba, personal: Persona) -> None:
    [respuesta] = await personal.envia_documento("sesiones.csv", BUENO,
                                                 tamano=25 * 1024 * 1024)
    assert "muy grande (25.0 MB)" in respuesta.texto_plano
    [respuesta] = await personal.envia_documento("sesiones.csv", BUENO, tamano=3 * 1024 * 1024)
    assert "muy grande (3.0 MB)" in respuesta.texto_plano
    assert descargas(bot) == [] and await sesiones(bot) == []


async def test_getfile_como_telegram_demasiado_grande_o_ya_no_esta(
        bot: BotDePrueba, ana: Persona) -> None:
    """El emulador: más de 20 MB, 400 «file is too big»; un archivo olvidado, 400 y 404."""
    await ana.envia_documento("grande.csv", b"a,b\n", tamano=21 * 1024 * 1024)
    await ana.envia_documento("chico.csv", b"a,b\n")
    grande, chico = [m.documento["file_id"] for m in bot.emulador.mensajes(ana.id)
                     if not m.de_bot and m.documento]
    api = bot.coopera.aplicacion.bot
    with pytest.raises(BadRequest, match="File is too big"):
        await api.get_file(grande)
    archivo = await api.get_file(chico)
    assert bytes(await archivo.download_as_bytearray()) == b"a,b\n"
    bot.emulador.olvidar_archivo(chico)
    with pytest.raises(BadRequest, match=r"(?i)wrong file_id"):
        await api.get_file(chico)
    with pytest.raises(TelegramError):  # su ruta de descarga ya no sirve (404)
        await archivo.download_as_bytearray()


async def test_si_telegram_ya_no_tiene_el_archivo_al_importar_no_entra_nada(
        bot: BotDePrueba, personal: Persona) -> None:
    await personal.envia_documento("sesiones.csv", BUENO)
    [file_id] = descargas(bot)
    bot.emulador.olvidar_archivo(file_id)
    await personal.pulsa("📥 Importar")
    assert "Telegram ya no lo tiene. Mándamelo otra vez." in textos(personal.mensajes()[-1:])
    assert await sesiones(bot) == []
    # Mandado otra vez, entra.
    await personal.envia_documento("sesiones.csv", BUENO)
    await personal.pulsa("📥 Importar")
    assert len(await sesiones(bot)) == 3


async def test_lo_que_cambio_entre_revisar_e_importar_se_revisa_otra_vez(
        bot: BotDePrueba, personal: Persona) -> None:
    """Si mientras tanto alguien importó lo mismo, al pulsar «Importar» ya no entra doble."""
    await personal.envia_documento("sesiones.csv", BUENO)
    await personal.envia_documento("copia.csv", BUENO)  # el mismo archivo, otra revisión
    await personal.pulsa("📥 Importar")
    assert len(await sesiones(bot)) == 3
    await personal.pulsa_datos("pers:imp:si")  # un botón viejo: ya no hay nada que importar
    assert len(await sesiones(bot)) == 3
    await personal.envia_documento("sesiones.csv", BUENO)
    assert "ya existe en el bot" in personal.texto() and len(await sesiones(bot)) == 3


async def test_un_csv_de_la_ciudadania_recibe_la_respuesta_de_siempre(
        bot: BotDePrueba, ana: Persona) -> None:
    [a_un_pdf] = await ana.envia_documento("algo.pdf", b"%PDF-1.4")
    [a_un_csv] = await ana.envia_documento("sesiones.csv", BUENO)
    assert a_un_csv.texto_plano == a_un_pdf.texto_plano
    assert "importé" not in a_un_csv.texto_plano.lower()
    await ana.pulsa_datos("pers:importar")
    assert "solo para el personal" in ana.texto()
    assert descargas(bot) == [] and await sesiones(bot) == []


async def test_en_ingles_cada_error_tambien(bot: BotDePrueba) -> None:
    staff = bot.persona(UsuarioFicticio(ID_PERSONAL, first_name="Mary", language_code="en"))
    malo = (f"{ENCABEZADO},extra\n{PRESENCIAL}\n"
            "coop_basico,2026-12-03,10:00,120,presencial,0,Puebla,Casa,Calle 1,,\n").encode()
    [respuesta] = await staff.envia_documento("s.csv", malo)
    assert "line 1, column extra: unknown column. The valid columns are: curso_id" in (
        respuesta.texto_plano)
    assert respuesta.texto_plano.startswith("Nothing was imported: the file has 1 error.")
    [respuesta] = await staff.envia_documento("s.csv", f"{ENCABEZADO}\n{PRESENCIAL}\n"
                                                        f"{PRESENCIAL}\n".encode())
    assert "line 3, column curso_id: it is the same session as line 2" in respuesta.texto_plano
    [resumen] = await staff.envia_documento("s.csv", BUENO)
    assert "3 sessions would be created:" in resumen.texto_plano
    assert staff.botones() == ["📥 Import", "✖️ Cancel"]


async def test_un_csv_se_reconoce_por_su_nombre_o_su_tipo(bot: BotDePrueba,
                                                          personal: Persona) -> None:
    """Un .txt del personal fuera del flujo no se toma por importación (puede ser para la
    asesoría); un archivo sin extensión que el teléfono manda como text/csv, sí."""
    [respuesta] = await personal.envia_documento("notas.txt", b"hola", mime="text/plain")
    assert "archivo" not in respuesta.texto_plano.lower() and descargas(bot) == []
    [resumen] = await personal.envia_documento("sesiones", BUENO, mime="text/csv")
    assert "Se crearían 3 sesiones:" in resumen.texto_plano
