-- Una fila de un anuncio que la cola devuelve a `pendiente` (un reintento tras un 5xx o un 429,
-- o una fila tomada que no llegó a salir) DESPUÉS de que el personal pausó o canceló ese
-- anuncio, o de que la persona pidió no recibir anuncios (/silenciar), no debe salir: vuelve a
-- `retenido` (anuncio en pausa) o queda `cancelado`. La cola de envíos no mira el anuncio; la
-- base lo corrige en la misma sentencia que la devuelve, antes de que nadie la tome.
CREATE TRIGGER envios_de_anuncio_detenido AFTER UPDATE OF estado ON envios
WHEN NEW.estado = 'pendiente' AND NEW.anuncio_id IS NOT NULL
BEGIN
    UPDATE envios SET estado = CASE
            WHEN (SELECT estado FROM anuncios WHERE id = NEW.anuncio_id) = 'pausado'
            THEN 'retenido' ELSE 'cancelado' END
        WHERE id = NEW.id AND (
            (SELECT estado FROM anuncios WHERE id = NEW.anuncio_id) IN ('pausado', 'cancelado')
            OR (SELECT silenciado_desde FROM personas WHERE telegram_id = NEW.telegram_id)
               IS NOT NULL);
END;
