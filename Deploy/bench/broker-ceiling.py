#!/usr/bin/env python3
"""The broker's raw rate (e2e-bench.sh): produce N messages of ~600 bytes keyed over 5,000 order
ids to a fresh 6-partition topic with the services' producer settings (acks=all, idempotent,
linger.ms=5), then consume them all with a fresh group. Uses the librdkafka 2.16 that the local
stack's venv carries (confluent-kafka). Prints one JSON line."""
import json, sys, time, uuid
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

brokers, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
topic = f"bench.ceiling.{uuid.uuid4().hex[:8]}"
admin = AdminClient({"bootstrap.servers": brokers})
admin.create_topics([NewTopic(topic, num_partitions=6, replication_factor=1)])[topic].result()
time.sleep(1)
producer = Producer({"bootstrap.servers": brokers, "acks": "all", "enable.idempotence": True, "linger.ms": 5,
                     "batch.num.messages": 10000, "queue.buffering.max.messages": 500000})
payload = b"x" * 600
start = time.time()
for i in range(count):
    while True:
        try:
            producer.produce(topic, key=f"O-{i % 5000}".encode(), value=payload)
            break
        except BufferError:
            producer.poll(0.05)
    if i % 10000 == 0:
        producer.poll(0)
producer.flush(60)
produce_seconds = time.time() - start
consumer = Consumer({"bootstrap.servers": brokers, "group.id": f"bench-{uuid.uuid4().hex[:8]}", "auto.offset.reset": "earliest",
                     "enable.auto.commit": False, "fetch.max.bytes": 52428800})
consumer.subscribe([topic])
seen, first = 0, None
deadline = time.time() + 120
while seen < count and time.time() < deadline:
    batch = consumer.consume(num_messages=10000, timeout=0.5)
    if batch and first is None:
        first = time.time()
    seen += sum(1 for m in batch if m.error() is None)
consume_seconds = time.time() - (first or time.time())
consumer.close()
print(json.dumps({"messages": count, "produced_per_second": round(count / produce_seconds),
                  "consumed": seen, "consumed_per_second": round(seen / max(consume_seconds, 0.001))}))
