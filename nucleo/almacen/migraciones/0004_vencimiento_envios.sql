-- Cada envío puede vencer: un recordatorio después de que empezó su sesión ya no sirve. La cola
-- reintenta los errores pasajeros (red caída, 5xx) hasta que el envío sale o vence; el que
-- vence pasa a `vencido` y nunca se manda. `vence_en` NULL: no vence (se reintenta siempre).
--
-- SQLite no cambia un CHECK en su lugar: la tabla se rehace con el estado nuevo y se copian
-- las filas tal cual. Nadie apunta a `envios` con claves foráneas.

CREATE TABLE envios_nueva (
    id           INTEGER PRIMARY KEY,
    telegram_id  INTEGER NOT NULL REFERENCES personas ON DELETE CASCADE,
    clave        TEXT NOT NULL UNIQUE,
    texto        TEXT NOT NULL,
    botones      TEXT,                               -- JSON: [[[texto, callback_data], ...], ...]
    prioridad    INTEGER NOT NULL DEFAULT 5,         -- 0 lo más urgente
    estado       TEXT NOT NULL DEFAULT 'pendiente'
                 CHECK (estado IN ('pendiente', 'enviando', 'enviado', 'fallido',
                                   'inalcanzable', 'incierto', 'vencido')),
    intentos     INTEGER NOT NULL DEFAULT 0,
    creado_en    TEXT NOT NULL,
    enviado_en   TEXT,
    message_id   INTEGER,
    error        TEXT,
    vence_en     TEXT                                -- UTC ISO; NULL: no vence
);

INSERT INTO envios_nueva (id, telegram_id, clave, texto, botones, prioridad, estado, intentos,
                          creado_en, enviado_en, message_id, error)
    SELECT id, telegram_id, clave, texto, botones, prioridad, estado, intentos, creado_en,
           enviado_en, message_id, error FROM envios;

DROP TABLE envios;
ALTER TABLE envios_nueva RENAME TO envios;

CREATE INDEX envios_pendientes ON envios (prioridad, id) WHERE estado = 'pendiente';
-- Para marcar de un jalón lo que ya venció sin recorrer toda la cola.
CREATE INDEX envios_por_vencer ON envios (vence_en)
    WHERE estado = 'pendiente' AND vence_en IS NOT NULL;
