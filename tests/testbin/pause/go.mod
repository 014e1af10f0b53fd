module simfarm.dev/testbin/pause

go 1.26.0
