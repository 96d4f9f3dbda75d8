import CRdKafka

extension KafkaConsumer {
    /// Lag per assigned partition from librdkafka's cached watermarks and the fetch position
    /// (no broker round trip). Partitions without a known position or watermark are omitted.
    public func lag() -> [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        for partition in assignment {
            let list = makePartitionList([(partition.topic, partition.partition, Int64(RD_KAFKA_OFFSET_INVALID))])
            defer { rd_kafka_topic_partition_list_destroy(list) }
            guard rd_kafka_position(rawHandle, list) == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            let position = list.pointee.elems[0].offset
            var low: Int64 = 0
            var high: Int64 = 0
            guard rd_kafka_get_watermark_offsets(rawHandle, partition.topic, partition.partition, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR,
                  high >= 0 else { continue }
            result[partition] = max(0, high - (position >= 0 ? position : low))
        }
        return result
    }
}
