-- El informe final de un anuncio a quien lo escribió se anota al entregarse: si Telegram falla
-- en ese momento (o el bot se reinicia), el trabajo de avance lo vuelve a intentar.
ALTER TABLE anuncios ADD COLUMN informado_en TEXT;          -- UTC ISO; NULL: informe pendiente
UPDATE anuncios SET informado_en = actualizado_en WHERE estado IN ('terminado', 'cancelado');
