-- Índices para una base grande (un millón de personas, de inscripciones y de envíos; medido
-- con python -m bench.escala). Sin ellos, cada una de estas consultas recorre la tabla entera.

-- Al arrancar, el despachador pide el último envío (MAX(enviado_en)): 0.6 s con un millón.
CREATE INDEX envios_por_enviado ON envios (enviado_en);

-- Al arrancar, lo que quedó 'enviando' pasa a 'incierto': sin índice, recorre toda la cola.
CREATE INDEX envios_enviando ON envios (id) WHERE estado = 'enviando';

-- Los envíos de una persona (sus datos; y el ON DELETE CASCADE al borrarla, que si no recorre
-- toda la cola por cada persona borrada).
CREATE INDEX envios_por_persona ON envios (telegram_id);
