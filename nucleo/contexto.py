"""El contexto que reciben los handlers: sus dependencias ya entregadas y tipadas.

Los handlers no importan el almacén ni leen variables de entorno: lo piden a `contexto`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import Bot, Update
from telegram.ext import Application, CallbackContext, ExtBot

from nucleo.almacen import Almacen
from nucleo.configuracion import Configuracion
from nucleo.contenido import Contenido
from nucleo.reloj import Reloj
from nucleo.textos import Textos, Traductor, idioma_de_telegram

if TYPE_CHECKING:
    from nucleo.anuncios import Anuncios
    from nucleo.asesoria import Asesoria, Olvido
    from nucleo.capacitacion import Capacitacion
    from nucleo.catalogo import CatalogoCursos
    from nucleo.cooperativas import Cooperativas
    from nucleo.envios import Despachador
    from nucleo.recordatorios import ProgramadorRecordatorios

CLAVE_SERVICIOS = "servicios"


@dataclass
class Servicios:
    config: Configuracion
    almacen: Almacen
    contenido: Contenido
    textos: Textos  # el catálogo de todos los idiomas; `Contexto.traductor` da uno
    reloj: Reloj
    despachador: Despachador | None = None  # la única vía para mandar en bloque
    recordatorios: ProgramadorRecordatorios | None = None
    capacitacion: Capacitacion | None = None  # inscribirse, cambios a sesiones, encuestas
    asesoria: Asesoria | None = None  # conversaciones con una persona asesora
    cooperativas: Cooperativas | None = None  # cooperativas en formación
    anuncios: Anuncios | None = None  # anuncios del personal y /silenciar
    catalogo: CatalogoCursos | None = None  # los cursos del programa (en la base)

    async def antes_de_borrar(self, bot: Bot, telegram_id: int) -> Olvido:
        """Lo que va antes de borrar las filas de una persona (/mis_datos o «No acepto»
        después de haber aceptado), en un solo lugar: pide a Telegram borrar su tema de
        asesoría y las copias; sale de sus cooperativas avisando a los demás (la
        responsabilidad pasa a otra persona); y sus lugares en cursos pasan a quien espera,
        con su aviso. Devuelve lo que Telegram dejó o no borrar."""
        olvido = await self.asesoria.olvidar(bot, telegram_id)
        await self.cooperativas.olvidar(telegram_id)
        await self.capacitacion.soltar_lugares(telegram_id)
        return olvido


class Contexto(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def servicios(self) -> Servicios:
        return self.application.bot_data[CLAVE_SERVICIOS]

    @property
    def almacen(self) -> Almacen:
        return self.servicios.almacen

    @property
    def contenido(self) -> Contenido:
        return self.servicios.contenido

    @property
    def catalogo(self) -> CatalogoCursos:
        return self.servicios.catalogo

    @property
    def capacitacion(self) -> Capacitacion:
        return self.servicios.capacitacion

    @property
    def asesoria(self) -> Asesoria:
        return self.servicios.asesoria

    @property
    def cooperativas(self) -> Cooperativas:
        return self.servicios.cooperativas

    @property
    def anuncios(self) -> Anuncios:
        return self.servicios.anuncios

    @property
    def config(self) -> Configuracion:
        return self.servicios.config

    @property
    def reloj(self) -> Reloj:
        return self.servicios.reloj

    @property
    def traductor(self) -> Traductor:
        """El traductor del idioma de quien escribe (lo fija `fijar_idioma` antes)."""
        idioma = self.user_data.get("idioma") if self.user_data is not None else None
        return self.servicios.textos.para(idioma)

    @property
    def idioma_actual(self) -> str | None:
        """El idioma en que el bot le habla ahora (elegido o el de su Telegram). Se guarda al
        aceptar el aviso: así lo que le llega por la cola (recordatorios, avisos, anuncios) va
        en ese idioma, y los anuncios por idioma la encuentran."""
        return self.user_data.get("idioma") if self.user_data is not None else None

    def elegir_idioma_en_memoria(self, idioma: str) -> None:
        """Para quien no aceptó el aviso: el idioma elegido no se guarda en la base."""
        if self.user_data is not None:
            self.user_data["idioma_elegido"] = idioma
            self.user_data["idioma"] = idioma


def instalar_servicios(aplicacion: Application, servicios: Servicios) -> None:
    aplicacion.bot_data[CLAVE_SERVICIOS] = servicios


async def fijar_idioma(update: object, contexto: Contexto) -> None:
    """Primer paso de cada actualización: decide en qué idioma se le habla a la persona."""
    if not isinstance(update, Update) or update.effective_user is None:
        return
    usuario = update.effective_user
    persona = await contexto.almacen.persona(usuario.id)
    if persona is not None and persona.inalcanzable:
        await contexto.almacen.marcar_alcanzable(usuario.id)  # si escribe, ya no nos bloquea
    idioma = (
        (persona.idioma if persona else None)
        or contexto.user_data.get("idioma_elegido")
        or idioma_de_telegram(usuario.language_code, contexto.config.idioma_predeterminado)
    )
    contexto.user_data["idioma"] = idioma
