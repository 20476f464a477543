CREATE INDEX delivery_delivered IF NOT EXISTS FOR (d:Delivery) ON (d.deliveredAt)
