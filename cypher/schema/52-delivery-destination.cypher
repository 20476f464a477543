CREATE INDEX delivery_destination IF NOT EXISTS FOR (d:Delivery) ON (d.destinationId, d.createdAt)
