"""Arma el bot: abre la base, carga el contenido, construye la aplicación de PTB y registra
todos los handlers y trabajos aquí, en un solo lugar (solo bot.py y las pruebas importan este
módulo; nucleo/ nunca importa una pantalla).

El orden importa: en el grupo 0, PTB usa el primer handler que acepta la actualización.
Por eso van primero los flujos (ConversationHandler), luego los comandos y botones
sueltos, luego el personal, y al final lo que atiende todo lo demás.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, BotCommandScopeDefault, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from conversaciones import (
    anuncio,
    asistencia,
    bandeja,
    cooperativa_acuerdos,
    cooperativa_asamblea,
    cooperativa_evidencia,
    cooperativa_nueva,
    cooperativa_personal,
    cooperativa_union,
    curso_personal,
    encuesta,
    importacion_personal,
    orientacion,
    perfil,
    sesion_cancelacion,
    sesion_correccion,
    sesion_fecha,
    sesion_nueva,
)
from handlers import (
    anuncios,
    asesoria,
    avisos_fechas,
    cooperativa,
    cooperativas_personal,
    cursos,
    errores,
    estadisticas,
    grupo_asesoria,
    idioma,
    imprevistos,
    informacion,
    inicio,
    menu,
    mis_cursos,
    mis_datos,
    personal,
    personal_asistencia,
    privado,
    recordatorio,
    roles,
    silenciar,
)
from interfaz.aviso import faltan_datos_oficina
from interfaz.menu import COMANDOS
from interfaz.personal import solo_administracion, solo_personal
from nucleo.almacen import Almacen
from nucleo.anuncios import Anuncios
from nucleo.asesoria import Asesoria
from nucleo.capacitacion import Capacitacion
from nucleo.catalogo import CatalogoCursos, ids_de_orientacion_sin_curso
from nucleo.configuracion import Configuracion
from nucleo.contenido import Contenido, cargar_contenido
from nucleo.contexto import Contexto, Servicios, fijar_idioma, instalar_servicios
from nucleo.cooperativas import Cooperativas
from nucleo.entrada import (
    ColaDeEntrada,
    Entrada,
    PeticionSondeo,
    ProcesadorPorChat,
    peticion_interactiva,
)
from nucleo.envios import Despachador
from nucleo.fechas import usar_reloj
from nucleo.instancia import (
    CandadoDeInstancia,
    SolicitudVigilada,
    TokenRechazado,
    conectar_con_telegram,
)
from nucleo.persistencia import PersistenciaSQLite
from nucleo.recordatorios import ProgramadorRecordatorios
from nucleo.reloj import Reloj
from nucleo.ritmo import Presupuesto, Ritmo
from nucleo.textos import Textos
from nucleo.webhook import ServidorWebhook

registro = logging.getLogger("coopera")


def _botones(app: Application, tabla: dict[str, Callable[..., Any]],
             guardia: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None) -> None:
    """Un CallbackQueryHandler por patrón de `tabla`, en su orden; con `guardia` (la
    comprobación de personal o de administración), cada callback pasa antes por ella."""
    for patron, callback in tabla.items():
        app.add_handler(CallbackQueryHandler(guardia(callback) if guardia else callback,
                                             pattern=patron))


def registrar_handlers(app: Application) -> None:
    """Todos los handlers y trabajos del bot, en un solo lugar y en el orden en que PTB los
    prueba (en un grupo, el primero que acepta la actualización se la queda)."""
    # Antes que nada (grupo -2): solo chats privados (y el grupo de asesoría); los canales,
    # las ediciones y lo que llega de otros grupos se detiene aquí (ver handlers/privado.py).
    app.add_handler(TypeHandler(Update, privado.filtrar), group=-2)
    # Luego (grupo -1): en qué idioma se le habla a la persona.
    app.add_handler(TypeHandler(Update, fijar_idioma), group=-1)

    # 0. El grupo de asesoría del personal (COOPERA_GRUPO_ASESORIA), antes que todo: ahí el
    # personal le contesta a una persona en su tema; nada de ese grupo es un comando para el
    # bot ni el paso de un flujo. Lo que no se atiende ahí (ediciones, comandos, el tema
    # General) se ignora en silencio. Ver handlers/grupo_asesoria.py.
    grupo = app.bot_data["servicios"].config.grupo_asesoria
    if grupo is not None:
        del_grupo = filters.Chat(grupo)
        nuevo_en_grupo = del_grupo & filters.UpdateType.MESSAGE
        app.add_handler(CommandHandler("cerrar", grupo_asesoria.cerrar_con_comando,
                                       filters=nuevo_en_grupo))
        app.add_handler(MessageHandler(nuevo_en_grupo & ~filters.COMMAND,
                                       grupo_asesoria.mensaje_en_tema))
        app.add_handler(MessageHandler(del_grupo, grupo_asesoria.ignorar))
    app.add_handler(CallbackQueryHandler(grupo_asesoria.cerrar_con_boton,
                                         pattern=r"^tema:cerrar:\d{1,12}$"))

    # 1. Los flujos de varios pasos. Mientras uno está abierto, recibe lo que es suyo.
    # /bandeja (el personal contesta la asesoría) va primero: mientras contesta, cualquier
    # comando o botón de otra parte lo saca antes de que otro flujo lo tome, y así un mensaje
    # para el bot nunca se le pasa a una persona por error.
    app.add_handler(bandeja.conversacion())
    # Los del personal van primero: si uno está abierto, lo que escribe el personal es suyo
    # aunque otro flujo de la ciudadanía haya quedado abierto.
    for flujo in (sesion_nueva, sesion_correccion, sesion_fecha, sesion_cancelacion,
                  curso_personal):  # curso_personal: el catálogo de cursos
        app.add_handler(flujo.conversacion())
    app.add_handler(cooperativa_personal.conversacion())  # escribir a un grupo, anotar asesoría
    app.add_handler(anuncio.conversacion())  # /anuncio: escribir, programar o cambiar un anuncio
    # Importar sesiones mandando el CSV al chat (pers:importar o un .csv del personal; el CSV
    # de cualquier otra persona no entra aquí).
    app.add_handler(importacion_personal.conversacion(app.bot_data["servicios"].config))
    app.add_handler(perfil.conversacion())
    app.add_handler(orientacion.conversacion())
    app.add_handler(asistencia.conversacion())  # el código de asistencia de un curso
    app.add_handler(encuesta.conversacion())  # la pregunta de satisfacción al terminar
    # Cooperativas en formación: empezar un grupo, unirse con un enlace (permiso y nombre
    # primero), subir una evidencia, convocar una asamblea y anotar sus acuerdos.
    for flujo in (cooperativa_nueva, cooperativa_union, cooperativa_evidencia,
                  cooperativa_asamblea, cooperativa_acuerdos):
        app.add_handler(flujo.conversacion())

    # 2. Comandos de un paso.
    comandos = {
        "start": inicio.inicio, "privacidad": inicio.aviso_completo, "menu": menu.menu,
        "ayuda": menu.ayuda, "idioma": idioma.elegir_idioma, "mis_datos": mis_datos.mostrar_datos,
        "cursos": cursos.inicio, "mis_cursos": mis_cursos.mostrar_lista,
        "cancelar": imprevistos.nada_que_cancelar, "asesoria": asesoria.abrir,
        "silenciar": silenciar.alternar,
    }
    for nombre, callback in comandos.items():
        app.add_handler(CommandHandler(nombre, callback))

    # 3. Botones de un paso. Los patrones son exactos: un dato inventado no entra aquí.
    botones = {
        r"^menu:inicio$": menu.menu, r"^menu:ayuda$": menu.ayuda, r"^menu:start$": inicio.inicio,
        r"^menu:idioma$": idioma.elegir_idioma, r"^menu:datos$": mis_datos.mostrar_datos,
        r"^menu:cursos$": cursos.inicio, r"^idioma:\w+$": idioma.cambiar_idioma,
        r"^aviso:leer$": inicio.aviso_completo, r"^aviso:rechazo$": inicio.rechazar_aviso,
        r"^datos:borrar$": mis_datos.pedir_confirmacion,
        r"^datos:borrar_si(:\d{1,12})?$": mis_datos.borrar,
        r"^datos:conservar$": mis_datos.conservar, r"^info:caminos$": informacion.caminos,
        r"^sil:(si|no)$": silenciar.con_boton,
        r"^info:camino:[\w-]+(:\d{1,2})?$": informacion.camino,
        r"^menu:asesoria$": asesoria.abrir, r"^ase:acepto$": asesoria.aceptar_aviso,
        # Cursos (ciudadanía): buscar e inscribirse, mis cursos, botones de los recordatorios.
        r"^cur:inicio$": cursos.inicio, r"^cur:temas$": cursos.temas, r"^cur:modos$": cursos.modos,
        r"^cur:lugares:\d{1,3}$": cursos.lugares, r"^cur:l:[\w.-]{1,40}:\d{1,3}$": cursos.lista,
        r"^cur:c:\w{1,20}:[\w.-]{1,40}:\d{1,3}$": cursos.ver_curso,
        r"^cur:s:\d{1,12}$": cursos.ver_sesion, r"^cur:(si|espera):\d{1,12}$": cursos.inscribir,
        r"^cur:avisar:(-|\w{1,20})$": avisos_fechas.pedir,
        r"^cur:noavisar:(-|\w{1,20})$": avisos_fechas.quitar,
        r"^mc:lista(:\d{1,3})?$": mis_cursos.mostrar_lista, r"^mc:ver:\d{1,12}$": mis_cursos.ver,
        r"^mc:baja:\d{1,12}$": mis_cursos.pedir_baja,
        r"^mc:baja_si:\d{1,12}$": mis_cursos.dar_de_baja,
        r"^mc:ics:\d{1,12}$": mis_cursos.mandar_calendario,
        r"^mc:rec:(si|no)$": mis_cursos.cambiar_recordatorios,
        r"^rec:si:\d{1,12}$": recordatorio.asistire, r"^rec:no:\d{1,12}$": recordatorio.ya_no_puedo,
    }
    _botones(app, botones)

    # 3b. Cooperativas en formación (/cooperativa): comando y botones de un paso. Patrones
    # exactos, y cada botón vuelve a revisar en el servidor que quien pulsa es del grupo.
    app.add_handler(CommandHandler("cooperativa", cooperativa.inicio))
    de_cooperativa = {
        r"^(menu:cooperativa|coop:inicio)$": cooperativa.inicio, r"^coop:antes$": cooperativa.antes,
        r"^coop:antes:\w{1,20}$": cooperativa.tema, r"^coop:chico$": cooperativa.grupo_chico,
        r"^coop:clases$": cooperativa.clases, r"^coop:g:\d{1,12}$": cooperativa.grupo,
        r"^coop:m:\d{1,12}$": cooperativa.personas,
        r"^coop:mm:\d{1,12}:\d{1,15}$": cooperativa.persona,
        r"^coop:quitar:\d{1,12}:\d{1,15}$": cooperativa.pedir_quitar,
        r"^coop:quitar_si:\d{1,12}:\d{1,15}$": cooperativa.quitar,
        r"^coop:del:\d{1,12}:\d{1,15}:[01]$": cooperativa.delegada,
        r"^coop:resp:\d{1,12}:\d{1,15}$": cooperativa.responsabilidad,
        r"^coop:salir:\d{1,12}$": cooperativa.pedir_salir,
        r"^coop:salir_si:\d{1,12}$": cooperativa.salir,
        r"^coop:inv:\d{1,12}$": cooperativa.invitar, r"^coop:enlace:\d{1,12}$": cooperativa.enlace,
        r"^coop:anular:\d{1,12}$": cooperativa.anular,
        r"^coop:renovar:\d{1,12}:(0|7|30)$": cooperativa.renovar,
        r"^coop:no:[\w-]{16,60}$": cooperativa.no_unirse, r"^coop:p:\d{1,12}$": cooperativa.camino,
        r"^coop:s:\d{1,12}:\w{1,20}$": cooperativa.paso,
        r"^coop:hecho:\d{1,12}:\w{1,20}$": cooperativa.marcar,
        r"^coop:ok:\d{1,12}:\w{1,20}$": cooperativa.confirmar,
        r"^coop:deshacer:\d{1,12}:\w{1,20}$": cooperativa.deshacer,
        r"^coop:vev:\d{1,12}:\w{1,20}$": cooperativa.ver_evidencias,
        r"^coop:ase:\d{1,12}:(\w{1,20}|-)$": cooperativa.pedir_asesoria,
        r"^coop:as:\d{1,12}$": cooperativa.asambleas, r"^coop:a:\d{1,12}$": cooperativa.asamblea,
        r"^coop:asi:\d{1,12}:(si|no)$": cooperativa.asistir,
        r"^coop:acan:\d{1,12}$": cooperativa.cancelar_asamblea,
        r"^coop:docs:\d{1,12}$": cooperativa.borradores,
        r"^coop:doc:\d{1,12}:(acta|bases)$": cooperativa.documento,
    }
    _botones(app, de_cooperativa)

    # 4. Personal: /personal y sus botones «pers:». Cada uno pasa por `solo_personal` (la única
    # comprobación de quién es personal); a los demás les da una negativa amable y nada cambia.
    # El último atiende cualquier otro «pers:» (un botón viejo o inventado).
    del_personal = {
        r"^pers:menu$": personal.menu_personal, r"^pers:sesiones$": personal.sesiones,
        r"^pers:s:(\d+)$": personal.detalle,
        r"^pers:s:(\d+):lista$": personal.lista, r"^pers:s:(\d+):csv$": personal.exportar_csv,
        r"^pers:s:(\d+):editar$": personal.elegir_correccion,
        r"^pers:s:(\d+):cod$": personal_asistencia.codigo,
        r"^pers:s:(\d+):asis:(\d{1,3})$": personal_asistencia.asistencia,
        r"^pers:s:(\d+):at:(\d+):(\d{1,3})$": personal_asistencia.alternar_asistencia,
        r"^pers:s:(\d+):asisok$": personal_asistencia.guardar_asistencia,
        r"^pers:": personal.boton_desconocido,
    }
    app.add_handler(CommandHandler("personal", solo_personal(personal.menu_personal)))
    _botones(app, del_personal, solo_personal)
    # El personal y las cooperativas en formación (/cooperativas y «pco:»), también por
    # `solo_personal`.
    app.add_handler(CommandHandler("cooperativas", solo_personal(cooperativas_personal.resumen)))
    de_personal_coop = {
        r"^pco:lista$": cooperativas_personal.resumen,
        r"^pco:f:(mun|clase|paso)$": cooperativas_personal.filtros,
        r"^pco:l:(todo|mun|clase|paso):[\w-]{1,20}:\d{1,3}$": cooperativas_personal.lista,
        r"^pco:g:\d{1,12}$": cooperativas_personal.grupo,
    }
    _botones(app, de_personal_coop, solo_personal)
    # Los anuncios (/anuncios, «anuns:»), por `solo_personal`. Escribir o cambiar uno es el
    # flujo /anuncio (arriba, «anun:»); el último de aquí atiende cualquier otro «anun:» o
    # «anuns:» (un botón viejo o inventado) y por eso va después del flujo.
    app.add_handler(CommandHandler("anuncios", solo_personal(anuncios.lista)))
    de_anuncios = {
        r"^anuns:lista(:\d{1,12})?$": anuncios.lista, r"^anuns:ver:\d{1,12}$": anuncios.ver,
        r"^anuns:muestra:\d{1,12}$": anuncios.muestra,
        r"^anuns:pausar:\d{1,12}$": anuncios.pausar,
        r"^anuns:reanudar:\d{1,12}$": anuncios.reanudar,
        r"^anuns:cancelar:\d{1,12}$": anuncios.pedir_cancelacion,
        r"^anuns:cancelar_si:\d{1,12}$": anuncios.cancelar,
        r"^anuns?:": anuncios.boton_desconocido,
    }
    _botones(app, de_anuncios, solo_personal)
    # Las cifras del programa (/estadisticas, «est:») para el personal; los roles y la bitácora
    # (/roles, /auditoria, «rol:», «aud:») solo para administración (`solo_administracion`).
    app.add_handler(CommandHandler("estadisticas", solo_personal(estadisticas.estadisticas)))
    app.add_handler(CallbackQueryHandler(solo_personal(estadisticas.con_boton), pattern=r"^est:"))
    app.add_handler(CommandHandler("roles", solo_administracion(roles.roles)))
    app.add_handler(CommandHandler("auditoria", solo_administracion(roles.auditoria)))
    de_administracion = {
        r"^rol:lista$": roles.mostrar_roles, r"^rol:q:\d{1,15}$": roles.quitar_con_boton,
        r"^aud:p:\d{1,6}$": roles.auditoria, r"^aud:csv$": roles.exportar_auditoria,
        r"^(rol|aud):": roles.boton_desconocido,
    }
    _botones(app, de_administracion, solo_administracion)

    # 5. Lo que una persona escribe suelto en su chat (texto, fotos, documentos, notas de voz)
    # mientras tiene una conversación con asesoría va a la persona asesora; si no tiene, este
    # mismo handler contesta lo de siempre (lo de abajo). Va después de flujos y comandos:
    # esos siguen funcionando con la conversación abierta.
    app.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND,
        asesoria.mensaje_suelto))

    # 6. Todo lo demás: comandos desconocidos, texto suelto, fotos y botones viejos.
    app.add_handler(MessageHandler(filters.COMMAND, imprevistos.comando_desconocido))
    app.add_handler(MessageHandler(filters.TEXT, imprevistos.texto_suelto))
    app.add_handler(MessageHandler(filters.ALL, imprevistos.no_es_texto))
    app.add_handler(CallbackQueryHandler(imprevistos.boton_viejo))

    app.add_error_handler(errores.al_fallar)


async def revisar_encuestas(contexto: Contexto) -> None:
    """Trabajo periódico: la encuesta de quien registró asistencia sale al terminar el curso."""
    await contexto.capacitacion.encuestas_de_sesiones_terminadas()


async def iniciar_anuncios(contexto: Contexto) -> None:
    """Trabajo periódico: los anuncios programados cuya hora llegó empiezan."""
    if contexto.servicios.anuncios is not None:
        await contexto.servicios.anuncios.iniciar_los_que_tocan()


async def recargar_catalogo(contexto: Contexto) -> None:
    """Trabajo periódico: los cursos importados con `python bot.py importar-cursos` (otro
    proceso) aparecen sin reiniciar el bot. Los cambios desde Telegram se ven al instante."""
    await contexto.catalogo.cargar()


def registrar_trabajos(app: Application) -> None:
    """Los trabajos periódicos de la JobQueue (los recordatorios arman su propio trabajo)."""
    app.job_queue.run_repeating(revisar_encuestas, interval=600, first=60, name="encuestas")
    app.job_queue.run_repeating(recargar_catalogo, interval=60, first=60, name="catalogo")
    # Los anuncios programados empiezan a su hora (y una vez al arrancar: Coopera.iniciar).
    app.job_queue.run_repeating(iniciar_anuncios, interval=30, first=30, name="anuncios")
    # El mensaje de avance de cada anuncio en curso y su informe final (handlers/anuncios.py).
    app.job_queue.run_repeating(anuncios.revisar_avance, interval=anuncios.INTERVALO_AVANCE,
                                first=anuncios.INTERVALO_AVANCE, name="avance_anuncios")


def construir_aplicacion(config: Configuracion, almacen: Almacen, contenido: Contenido,
                         textos: Textos, reloj: Reloj, *,
                         al_rechazar_token: Callable[[], None] | None = None,
                         sondeo: PeticionSondeo | None = None) -> Application:
    """`al_rechazar_token` se llama si Telegram contesta 401 a cualquier petición del bot
    (getUpdates o un envío): el token se revocó con el bot corriendo.

    `sondeo` es la petición de getUpdates que usa `nucleo.entrada.Entrada` (guarda el JSON
    recibido); el Updater de PTB no se usa. Las actualizaciones de cada chat se atienden en
    orden y los chats a la vez (`ProcesadorPorChat`); las respuestas, con tiempos cortos."""
    cola = ColaDeEntrada()
    procesador = ProcesadorPorChat(almacen, cola)
    constructor = (
        ApplicationBuilder()
        .token(config.token.valor())
        .updater(None)
        .update_queue(cola)
        .context_types(ContextTypes(context=Contexto))
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=config.zona_horaria,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .persistence(PersistenciaSQLite(almacen))
        .concurrent_updates(procesador)
        .rate_limiter(Ritmo(Presupuesto(config.mensajes_por_segundo)))  # nucleo/ritmo.py
    )
    if config.url_base:
        # Los archivos (getFile y su descarga) van por la misma API: «…/bot» → «…/file/bot».
        archivos = config.url_base.removesuffix("/bot") + "/file/bot"
        constructor = constructor.base_url(config.url_base).base_file_url(archivos)
    interactiva, de_sondeo = peticion_interactiva(), sondeo or PeticionSondeo()
    if al_rechazar_token is not None:  # las mismas solicitudes, vigiladas
        interactiva = SolicitudVigilada(interactiva, al_rechazar_token)
        de_sondeo = SolicitudVigilada(de_sondeo, al_rechazar_token)
    constructor = constructor.request(interactiva).get_updates_request(de_sondeo)
    app = constructor.build()
    procesador.aplicacion = app
    instalar_servicios(app, Servicios(config, almacen, contenido, textos, reloj))
    registrar_handlers(app)
    registrar_trabajos(app)
    return app


async def registrar_comandos(app: Application) -> None:
    """La lista de comandos de Telegram, en cada idioma (la de por defecto, en español)."""
    servicios: Servicios = app.bot_data["servicios"]
    for codigo in ("", *servicios.textos.idiomas):
        _ = servicios.textos.para(codigo or None)
        comandos = [BotCommand(c, _(d)) for c, d in COMANDOS]
        idioma_telegram = codigo.split("_")[0]
        await app.bot.set_my_commands(comandos, scope=BotCommandScopeDefault(),
                                      language_code=idioma_telegram or None)


class Coopera:
    """El bot completo: abre la base, carga el contenido, arranca y se detiene en orden."""

    def __init__(self, config: Configuracion, reloj: Reloj | None = None, *,
                 contenido: Contenido | None = None, textos: Textos | None = None) -> None:
        """`contenido` y `textos` ya cargados se pueden pasar (las pruebas los cargan una
        vez); si no, se leen de `config.carpeta_contenido` al iniciar."""
        self.config = config
        self.reloj = reloj or Reloj()
        self._contenido = contenido
        self._textos = textos
        self.almacen: Almacen | None = None
        self.aplicacion: Application | None = None
        self.despachador: Despachador | None = None
        self.recordatorios: ProgramadorRecordatorios | None = None
        self.entrada: Entrada | None = None
        self.webhook: ServidorWebhook | None = None
        self._candado = CandadoDeInstancia(config.ruta_bd)
        self._token_rechazado = asyncio.Event()

    async def iniciar(self, *, intervalo_sondeo: float = 0.0) -> None:
        """Arranca todo. Lanza OtraInstancia si otro proceso usa la misma base y
        TokenRechazado si Telegram no acepta el token; sin red, espera a Telegram reintentando.
        Si algo falla o se cancela (SIGTERM mientras espera), deshace lo hecho antes de salir:
        no quedan la base abierta ni el candado tomado."""
        try:
            await self._iniciar(intervalo_sondeo)
        except BaseException:
            await self.detener()
            raise

    async def vigilar(self) -> None:
        """Espera mientras el bot pueda seguir. Lanza TokenRechazado si Telegram dejó de
        aceptar el token con el bot corriendo: esperar no lo arregla."""
        await self._token_rechazado.wait()
        raise TokenRechazado(al_arrancar=False, url_base=self.config.url_base)

    async def _iniciar(self, intervalo_sondeo: float) -> None:
        usar_reloj(self.reloj)  # «hoy», «mañana» y el año de las fechas: lo heredan las tareas
        # El contenido se valida antes de abrir nada: si está mal, el bot no arranca.
        contenido = self._contenido or cargar_contenido(self.config.carpeta_contenido)
        textos = self._textos or Textos(self.config.carpeta_contenido / "locales",
                                        self.config.idioma_predeterminado)
        self._candado.tomar()  # antes de abrir la base: el segundo proceso ni la toca
        self.almacen = await Almacen.abrir(self.config.ruta_bd)
        self.config.roles.fijar(await self.almacen.roles_guardados())  # /roles, en memoria
        # El catálogo de cursos está en la base (el de ejemplo, solo si la configuración lo
        # pide y no hay cursos); el contenido lo consulta desde ahora (nucleo/catalogo.py).
        catalogo = await CatalogoCursos.abrir(
            self.almacen, self.reloj,
            contenido.cursos_ejemplo if self.config.cursos_de_ejemplo else ())
        contenido = replace(contenido, catalogo=catalogo)
        sondeo = PeticionSondeo()
        self.aplicacion = construir_aplicacion(self.config, self.almacen, contenido, textos,
                                               self.reloj,
                                               al_rechazar_token=self._token_rechazado.set,
                                               sondeo=sondeo)
        self.aplicacion.bot_data["servicios"].catalogo = catalogo
        await conectar_con_telegram(  # getMe, con reintentos mientras Telegram no conteste
            self.aplicacion.initialize, reintento_maximo=self.config.reintento_maximo,
            url_base=self.config.url_base)
        await registrar_comandos(self.aplicacion)
        servicios: Servicios = self.aplicacion.bot_data["servicios"]
        # Los envíos en bloque usan su propio Bot (un 429 de un recordatorio no frena las
        # respuestas) pero el MISMO presupuesto que las respuestas, que pasan primero.
        self.despachador = Despachador(self.config, self.almacen, self.reloj,
                                       presupuesto=self.aplicacion.bot.rate_limiter.presupuesto)
        self.recordatorios = ProgramadorRecordatorios(
            self.config, self.almacen, self.reloj, self.despachador, servicios.textos,
            servicios.contenido, self.aplicacion.job_queue)
        servicios.despachador, servicios.recordatorios = self.despachador, self.recordatorios
        servicios.capacitacion = Capacitacion(
            self.config, self.almacen, servicios.contenido, servicios.textos, self.reloj,
            self.despachador, self.recordatorios)
        servicios.asesoria = Asesoria(self.config, self.almacen, servicios.contenido,
                                      servicios.textos, self.reloj)
        await servicios.asesoria.revisar_grupo(self.aplicacion.bot)  # lo que falte, al registro
        servicios.cooperativas = Cooperativas(
            self.config, self.almacen, servicios.contenido, servicios.textos, self.reloj,
            self.despachador, self.recordatorios)
        # Las asambleas de los grupos usan el mismo despertador que los cursos.
        self.recordatorios.agregar_fuente(servicios.cooperativas)
        servicios.anuncios = Anuncios(self.almacen, servicios.contenido, self.reloj,
                                      self.despachador,
                                      idioma_predeterminado=self.config.idioma_predeterminado)
        await self.aplicacion.start()
        await self.despachador.iniciar()
        await self.recordatorios.iniciar()  # reconstruye lo pendiente y manda lo atrasado
        await servicios.anuncios.iniciar_los_que_tocan()  # su hora llegó con el bot apagado
        # Lo que quedó sin atender de una caída va primero; luego, lo nuevo de Telegram.
        self.entrada = Entrada(self.aplicacion, self.almacen, self.reloj, sondeo,
                               intervalo=intervalo_sondeo)
        await self._recibir_actualizaciones()
        registro.info("%s", linea_de_arranque(
            self.config, servicios.textos.idiomas, self.config.modo,
            self.config.webhook.url if self.config.webhook else None))
        if sin_curso := ids_de_orientacion_sin_curso(servicios.contenido, catalogo):
            registro.warning(
                "La orientación nombra cursos que no están activos en el catálogo (%s): no se "
                "muestran. Impórtalos con esos ids (python bot.py importar-cursos) o cambia "
                "los ids en contenido/orientacion.yaml.", ", ".join(sin_curso))
        if faltan := faltan_datos_oficina(servicios.contenido):  # también se ve en /personal
            registro.warning("contenido/oficina.yaml: faltan datos de la oficina (%s); el bot "
                             "manda a la gente a /asesoria", ", ".join(faltan))

    async def _recibir_actualizaciones(self) -> None:
        """Polling (getUpdates) o webhook, según la configuración; en ambos, lo que llega
        pasa por el buzón de `Entrada` antes de confirmarse a Telegram."""
        bot, webhook = self.aplicacion.bot, self.config.webhook
        if webhook is None:
            try:  # un webhook que quedó puesto haría fallar cada getUpdates con 409
                await bot.delete_webhook()
            except TelegramError as error:
                registro.warning("No pude quitar el webhook (%s); si quedó puesto, getUpdates "
                                 "fallará hasta quitarlo.", error)
            await self.entrada.iniciar()
            return
        await self.entrada.iniciar(sondear=False)
        self.webhook = ServidorWebhook(self.entrada, url=webhook.url, escucha=webhook.escucha,
                                       secreto=webhook.secreto.valor())
        await self.webhook.iniciar()
        await bot.set_webhook(webhook.url, secret_token=webhook.secreto.valor(),
                              allowed_updates=Update.ALL_TYPES)

    async def detener(self) -> None:
        """Detiene todo en orden: recordatorios, cola de envíos, sondeo, aplicación de PTB,
        base y candado. Sirve aunque `iniciar` haya fallado a medias, y más de una vez. Un
        paso que falla (con el token revocado, el sondeo) no impide los siguientes."""
        if self.recordatorios is not None:
            await _paso("los recordatorios", self.recordatorios.detener())
        if self.despachador is not None:
            await _paso("la cola de envíos", self.despachador.detener())
        if self.webhook is not None:  # deja de recibir; Telegram guarda lo que llegue
            await _paso("el webhook", self.webhook.detener())
            self.webhook = None
        if self.aplicacion is not None:
            if self.entrada is not None:
                await _paso("el sondeo", self.entrada.detener())
            if self.aplicacion.running:
                await _paso("la aplicación", self.aplicacion.stop())
            await _paso("la aplicación", self.aplicacion.shutdown())
        if self.almacen is not None:
            await _paso("la base de datos", self.almacen.cerrar())
        self._candado.soltar()


def linea_de_arranque(config: Configuracion, idiomas: Iterable[str], modo: str = "polling",
                      url_webhook: str | None = None) -> str:
    """La línea que dice con qué quedó corriendo el bot, para quien opera el servidor. Nunca
    lleva el token ni el secreto del webhook (del webhook, solo el host)."""
    idiomas = [f"{i} (predeterminado)" if i == config.idioma_predeterminado else i
               for i in idiomas]
    if config.mensajes_por_segundo > 0:
        presupuesto = f"{config.mensajes_por_segundo:g} mensajes/s"
    else:
        presupuesto = "sin límite (solo para mediciones)"
    destino = f" en {urlsplit(url_webhook).hostname}" if url_webhook else ""
    return (f"Coopera Puebla está escuchando: modo {modo}{destino}; base {config.ruta_bd}; "
            f"zona horaria {config.zona_horaria.key}; idiomas {', '.join(idiomas)}; "
            f"personal {len(config.personal)}; presupuesto {presupuesto} "
            f"(envíos en bloque hasta {config.envios_por_segundo:g}/s).")


async def _paso(que: str, detener: Awaitable[None]) -> None:
    """Un paso de `Coopera.detener`: si falla, se anota y se sigue con el siguiente."""
    try:
        await detener
    except TelegramError as error:  # Telegram no contesta o ya no acepta el token
        registro.warning("Al detener %s, Telegram falló (%s); sigo.", que, error)
    except Exception:
        registro.exception("No se pudo detener %s; sigo.", que)
