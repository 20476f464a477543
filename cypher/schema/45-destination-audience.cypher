CREATE INDEX destination_audience IF NOT EXISTS FOR (d:Destination) ON (d.audienceId)
