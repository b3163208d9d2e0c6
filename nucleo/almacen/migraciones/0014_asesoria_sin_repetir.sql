-- Un mensaje de Telegram se anota una sola vez en la asesoría. Tras una caída, el bot vuelve a
-- atender las actualizaciones que recibió y no alcanzó a dar por atendidas (nucleo/entrada.py):
-- sin esto, el mismo mensaje se guardaba y se copiaba otra vez al personal (o a la persona).
-- `pasado_en`: cuándo el mensaje de la persona llegó al personal (copiado al tema o avisado);
-- si ya llegó, no se vuelve a copiar. Las respuestas del personal se anotan ya entregadas.

ALTER TABLE mensajes_asesoria ADD COLUMN pasado_en TEXT;
UPDATE mensajes_asesoria SET pasado_en = creado_en;
DELETE FROM mensajes_asesoria WHERE id NOT IN (
    SELECT MIN(id) FROM mensajes_asesoria GROUP BY chat_origen, mensaje_origen);
CREATE UNIQUE INDEX mensajes_asesoria_por_origen ON mensajes_asesoria (chat_origen, mensaje_origen);
