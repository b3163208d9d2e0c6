-- El buzón de entrada: cada actualización de Telegram se guarda tal como llegó (JSON) ANTES de
-- confirmarla con el siguiente getUpdates, y se borra cuando ya se atendió y se guardó el paso
-- de su conversación. Si el proceso muere, al arrancar se atiende lo que quedó, en orden.
-- Lleva datos personales (lo que la persona escribió) solo mientras se atiende: segundos.

CREATE TABLE entrada (
    update_id    INTEGER PRIMARY KEY,
    datos        TEXT NOT NULL,                     -- JSON tal como lo mandó Telegram
    recibida_en  TEXT NOT NULL,
    intentos     INTEGER NOT NULL DEFAULT 0         -- veces que se volvió a atender tras caerse
);

-- La última actualización recibida (una sola fila). Al arrancar, el primer getUpdates confirma
-- desde ahí: lo que ya se guardó (y quizá ya se atendió y se borró) no vuelve a llegar.
CREATE TABLE entrada_recibida (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    update_id    INTEGER NOT NULL,
    recibida_en  TEXT NOT NULL
);
