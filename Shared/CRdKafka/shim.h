#ifndef OMS_CRDKAFKA_SHIM_H
#define OMS_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <stdlib.h>

/* Swift cannot call C variadic functions; these inline helpers wrap the few variadic
   librdkafka entry points the OMS needs. They do nothing but forward arguments. */

/** Enqueue one message (payload copied). `timestamp_ms` 0 means "now". On success librdkafka
    owns `headers`. */
static inline rd_kafka_resp_err_t oms_rdk_produce(rd_kafka_t *rk, const char *topic,
        const void *key, size_t key_len, const void *value, size_t value_len,
        rd_kafka_headers_t *headers, int64_t timestamp_ms, void *opaque) {
    return rd_kafka_producev(rk,
        RD_KAFKA_V_TOPIC(topic),
        RD_KAFKA_V_KEY(key, key_len),
        RD_KAFKA_V_VALUE((void *)value, value_len),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADERS(headers),
        RD_KAFKA_V_TIMESTAMP(timestamp_ms),
        RD_KAFKA_V_OPAQUE(opaque),
        RD_KAFKA_V_END);
}

#endif
