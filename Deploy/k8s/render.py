#!/usr/bin/env python3
"""Renders the Kubernetes manifests in this folder from the topic catalogue, so replica limits and
KafkaTopics always match the partitions the code creates.

    python3 Deploy/k8s/render.py --catalogue <(omsctl topics list)      # rewrite the manifests
    python3 Deploy/k8s/render.py --catalogue FILE --check               # exit 1 if they are stale

Deploy/checks/deploy-check.py runs the --check form in CI. Needs PyYAML.
"""
import argparse, os, sys
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
NAMESPACE = "oms"
IMAGE = "registry.example.com/retail-oms:1.0.0"   # set by your release pipeline (kustomize images:)
BOOTSTRAP = "oms-kafka-kafka-bootstrap.oms.svc:9093"

# Deployment -> executable, consumer groups it runs (lag-based autoscaling), extra environment.
DEPLOYMENTS = [
    {"name": "intake-edge", "service": "intake", "command": "oms-intake", "groups": [], "http": True,
     "env": {"OMS_INTAKE_ROLE": "edge"}},
    {"name": "intake-worker", "service": "intake", "command": "oms-intake", "groups": ["oms.intake.workers", "oms.intake.status"],
     "env": {"OMS_INTAKE_ROLE": "worker"}},
    {"name": "risk", "service": "risk", "command": "oms-risk", "groups": ["oms.risk.events"], "http": True},
    {"name": "inventory", "service": "inventory", "command": "oms-inventory", "groups": ["oms.inventory.events"], "http": True},
    {"name": "fulfillment", "service": "fulfillment", "command": "oms-fulfillment", "groups": ["oms.fulfillment.events"], "http": True},
    {"name": "logistics", "service": "logistics", "command": "oms-logistics", "groups": ["oms.logistics.events"], "http": True},
    {"name": "aftersales", "service": "aftersales", "command": "oms-aftersales", "groups": ["oms.aftersales.events"], "http": True},
    {"name": "insights", "service": "insights", "command": "oms-insights", "groups": [], "http": True},
    {"name": "integrations", "service": "integrations", "command": "oms-integrations", "groups": ["oms.integrations.events"], "http": True},
    {"name": "console", "service": "console", "command": "oms-console", "groups": [], "http": True},
]

# Variables that differ per service; everything else comes from the oms-config ConfigMap.
SERVICE_CONFIG = {
    "intake": ["OMS_SEED_DEMO_CATALOG", "OMS_SHIPPING_FEE_FEN", "OMS_FREE_SHIPPING_OVER_FEN", "OMS_PAYMENT_WINDOW_SECONDS", "OMS_PAYMENT_CHECK_SECONDS"],
    "risk": ["OMS_REVIEW_SLA_MINUTES"],
    "fulfillment": ["OMS_FULFILLMENT_DEFAULT_MODE", "OMS_WAVE_MAX_ORDERS", "OMS_WAVE_WINDOW_SECONDS",
                    "OMS_WAVE_CHECK_SECONDS", "OMS_PROMOTION_CARD_MINIMUM_FEN", "OMS_SEED_DEMO_CATALOG"],
    "logistics": ["OMS_DELAY_NO_SCAN_SECONDS", "OMS_DELAY_CHECK_SECONDS", "OMS_SEED_DEMO_CATALOG", "OMS_SF_GATEWAY_URL", "OMS_SF_PARTNER_ID",
                  "OMS_SF_MONTHLY_CARD", "OMS_EWAYBILL_MAX_ATTEMPTS", "OMS_EWAYBILL_RETRY_BASE_MILLISECONDS", "OMS_EWAYBILL_POLL_MILLISECONDS",
                  "OMS_EWAYBILL_TIMEOUT_SECONDS", "OMS_PICKUP_HOLD_SECONDS", "OMS_PICKUP_CHECK_SECONDS"],
    "aftersales": ["OMS_RETURN_WINDOW_DAYS", "OMS_RETURN_AUTO_APPROVE", "OMS_EXCHANGE_WINDOW_DAYS",
                   "OMS_COMPLAINT_SLA_SECONDS", "OMS_ESCALATION_CHECK_SECONDS", "OMS_REFUND_CHECK_SECONDS",
                   "OMS_REFUND_RETRY_BASE_SECONDS", "OMS_REFUND_MAX_FAILURES", "OMS_REFUND_RECHECK_SECONDS",
                   "OMS_CANCELLATION_REFUND_HOLD_SECONDS", "OMS_PAYMENT_TIMEOUT_SECONDS", "OMS_WECHATPAY_BASE_URL",
                   "OMS_WECHATPAY_MCHID", "OMS_WECHATPAY_SERIAL_NO", "OMS_WECHATPAY_NOTIFY_URL", "OMS_ALIPAY_GATEWAY_URL", "OMS_ALIPAY_APP_ID",
                   "OMS_INVOICE_SELLER_NAME", "OMS_INVOICE_SELLER_TAX_ID", "OMS_INVOICE_CHECK_SECONDS", "OMS_NUONUO_URL", "OMS_NUONUO_APP_KEY",
                   "OMS_EINVOICE_RETRY_BASE_SECONDS", "OMS_EINVOICE_MAX_ATTEMPTS"],
    "insights": ["OMS_INSIGHTS_GENERATION", "OMS_RFM_NEW_DAYS", "OMS_RFM_FREQUENT_ORDERS", "OMS_RFM_SILENCE_DAYS"],
    "integrations": ["OMS_WEBHOOK_MAX_ATTEMPTS", "OMS_WEBHOOK_RETRY_BASE_MILLISECONDS", "OMS_WEBHOOK_SUSPEND_AFTER", "OMS_WEBHOOK_TIMEOUT_SECONDS",
                     "OMS_WEBHOOK_CONCURRENCY", "OMS_WEBHOOK_POLL_MILLISECONDS", "OMS_WEBHOOK_SETTLE_MILLISECONDS", "OMS_WEBHOOK_RETENTION_DAYS",
                     "OMS_MARKETPLACE_MAX_ATTEMPTS", "OMS_MARKETPLACE_RETRY_BASE_MILLISECONDS", "OMS_MARKETPLACE_POLL_MILLISECONDS",
                     "OMS_MARKETPLACE_TIMEOUT_SECONDS", "OMS_STOCK_FEED_INTERVAL_MILLISECONDS", "OMS_STOCK_FULL_SYNC_SECONDS",
                     "OMS_TAOBAO_GATEWAY_URL", "OMS_TAOBAO_APP_KEY", "OMS_TAOBAO_SIGN_METHOD", "OMS_TAOBAO_CARRIER_CODES",
                     "OMS_JD_GATEWAY_URL", "OMS_JD_APP_KEY", "OMS_JD_CARRIER_IDS",
                     "OMS_NOTIFY_SHOP_NAME",
                     "OMS_NOTIFY_LANGUAGE",
                     "OMS_NOTIFY_RETURN_DAYS",
                     "OMS_NOTIFY_QUIET_HOURS",
                     "OMS_NOTIFY_SMS_PER_RECIPIENT_PER_HOUR",
                     "OMS_NOTIFY_MAX_ATTEMPTS",
                     "OMS_NOTIFY_RETRY_BASE_MILLISECONDS",
                     "OMS_NOTIFY_POLL_MILLISECONDS",
                     "OMS_NOTIFY_CONCURRENCY",
                     "OMS_NOTIFY_SETTLE_MILLISECONDS",
                     "OMS_NOTIFY_TIMEOUT_SECONDS",
                     "OMS_NOTIFY_CONTACT_WAIT_SECONDS",
                     "OMS_NOTIFY_RETENTION_DAYS",
                     "OMS_SMS_ACCESS_KEY_ID",
                     "OMS_SMS_SIGN_NAME",
                     "OMS_SMS_ENDPOINT",
                     "OMS_SMS_REGION",
                     "OMS_SMTP_HOST",
                     "OMS_SMTP_PORT",
                     "OMS_SMTP_TLS",
                     "OMS_SMTP_CA_FILE",
                     "OMS_SMTP_USERNAME",
                     "OMS_SMTP_FROM",
                     "OMS_SMTP_HELO_NAME",
                     ],
    "console": ["OMS_CONSOLE_INTAKE_URL", "OMS_CONSOLE_RISK_URL", "OMS_CONSOLE_INVENTORY_URL", "OMS_CONSOLE_FULFILLMENT_URL",
                "OMS_CONSOLE_LOGISTICS_URL", "OMS_CONSOLE_AFTERSALES_URL", "OMS_CONSOLE_INSIGHTS_URL", "OMS_CONSOLE_INTEGRATIONS_URL",
                "OMS_CONSOLE_SECURE_COOKIES", "OMS_CONSOLE_IDLE_MINUTES", "OMS_CONSOLE_SESSION_HOURS",
                "OMS_CONSOLE_SIGNIN_FAILURES_PER_ACCOUNT", "OMS_CONSOLE_SIGNIN_FAILURES_PER_ADDRESS", "OMS_CONSOLE_SIGNIN_WINDOW_MINUTES",
                "OMS_CONSOLE_BCRYPT_COST"],
}
CONFIG = {
    "OMS_KAFKA_BROKERS": BOOTSTRAP, "OMS_KAFKA_SESSION_TIMEOUT_MS": "10000", "OMS_TOPIC_PREFIX": "",
    "OMS_HTTP_HOST": "0.0.0.0", "OMS_HTTP_PORT": "8080", "OMS_LOG_LEVEL": "info", "OMS_DATABASE_POOL_SIZE": "8", "OMS_DATABASE_STATEMENT_TIMEOUT_MS": "60000",
    "OMS_BATCH_SIZE": "500", "OMS_CONSUMERS_PER_GROUP": "1", "OMS_MAX_HANDLER_ATTEMPTS": "3",
    "OMS_RELAY_BATCH_SIZE": "1000", "OMS_RELAY_IDLE_MS": "250", "OMS_PIPELINE_STALL_SECONDS": "120",
    "OMS_KAFKA_PROPERTY_SECURITY_PROTOCOL": "SSL", "OMS_KAFKA_PROPERTY_SSL_CA_LOCATION": "/etc/kafka-ca/ca.crt",
    "OMS_SEED_DEMO_CATALOG": "false", "OMS_SHIPPING_FEE_FEN": "1000", "OMS_FREE_SHIPPING_OVER_FEN": "9900",
    "OMS_REVIEW_SLA_MINUTES": "120", "OMS_FULFILLMENT_DEFAULT_MODE": "manual", "OMS_WAVE_MAX_ORDERS": "20",
    "OMS_WAVE_WINDOW_SECONDS": "300", "OMS_WAVE_CHECK_SECONDS": "5", "OMS_PROMOTION_CARD_MINIMUM_FEN": "20000",
    "OMS_DELAY_NO_SCAN_SECONDS": "86400", "OMS_DELAY_CHECK_SECONDS": "60",
    "OMS_SF_GATEWAY_URL": "https://bspgw.sf-express.com/std/service", "OMS_SF_PARTNER_ID": "", "OMS_SF_MONTHLY_CARD": "",
    "OMS_EWAYBILL_MAX_ATTEMPTS": "10", "OMS_EWAYBILL_RETRY_BASE_MILLISECONDS": "2000", "OMS_EWAYBILL_POLL_MILLISECONDS": "200", "OMS_EWAYBILL_TIMEOUT_SECONDS": "10", "OMS_PICKUP_HOLD_SECONDS": "259200", "OMS_PICKUP_CHECK_SECONDS": "60", "OMS_RETURN_WINDOW_DAYS": "",
    "OMS_RETURN_AUTO_APPROVE": "noReasonWithin7Days,sizeOrFit", "OMS_EXCHANGE_WINDOW_DAYS": "15",
    "OMS_COMPLAINT_SLA_SECONDS": "", "OMS_ESCALATION_CHECK_SECONDS": "60",
    "OMS_PAYMENT_WINDOW_SECONDS": "1800", "OMS_PAYMENT_CHECK_SECONDS": "15",
    "OMS_REFUND_CHECK_SECONDS": "5", "OMS_REFUND_RETRY_BASE_SECONDS": "30", "OMS_REFUND_MAX_FAILURES": "8", "OMS_REFUND_RECHECK_SECONDS": "300",
    "OMS_CANCELLATION_REFUND_HOLD_SECONDS": "30", "OMS_PAYMENT_TIMEOUT_SECONDS": "10",
    "OMS_INVOICE_SELLER_NAME": "示例零售有限公司", "OMS_INVOICE_SELLER_TAX_ID": "91350100M000100Y43", "OMS_INVOICE_CHECK_SECONDS": "5",
    "OMS_NUONUO_URL": "https://sdk.nuonuo.com/open/v1/services", "OMS_NUONUO_APP_KEY": "", "OMS_EINVOICE_RETRY_BASE_SECONDS": "30", "OMS_EINVOICE_MAX_ATTEMPTS": "10",
    "OMS_WECHATPAY_BASE_URL": "https://api.mch.weixin.qq.com", "OMS_WECHATPAY_MCHID": "", "OMS_WECHATPAY_SERIAL_NO": "",
    "OMS_WECHATPAY_NOTIFY_URL": "", "OMS_ALIPAY_GATEWAY_URL": "https://openapi.alipay.com/gateway.do", "OMS_ALIPAY_APP_ID": "",
    "OMS_INSIGHTS_GENERATION": "1", "OMS_RFM_NEW_DAYS": "30", "OMS_RFM_FREQUENT_ORDERS": "3", "OMS_RFM_SILENCE_DAYS": "90",
    "OMS_WEBHOOK_MAX_ATTEMPTS": "8", "OMS_WEBHOOK_RETRY_BASE_MILLISECONDS": "120000", "OMS_WEBHOOK_SUSPEND_AFTER": "5", "OMS_WEBHOOK_TIMEOUT_SECONDS": "5",
    "OMS_WEBHOOK_CONCURRENCY": "8", "OMS_WEBHOOK_POLL_MILLISECONDS": "200", "OMS_WEBHOOK_SETTLE_MILLISECONDS": "1000", "OMS_WEBHOOK_RETENTION_DAYS": "30",
    "OMS_MARKETPLACE_MAX_ATTEMPTS": "8", "OMS_MARKETPLACE_RETRY_BASE_MILLISECONDS": "60000", "OMS_MARKETPLACE_POLL_MILLISECONDS": "500",
    "OMS_MARKETPLACE_TIMEOUT_SECONDS": "10", "OMS_STOCK_FEED_INTERVAL_MILLISECONDS": "5000", "OMS_STOCK_FULL_SYNC_SECONDS": "3600",
    "OMS_TAOBAO_GATEWAY_URL": "https://eco.taobao.com/router/rest", "OMS_TAOBAO_APP_KEY": "", "OMS_TAOBAO_SIGN_METHOD": "md5", "OMS_TAOBAO_CARRIER_CODES": "",
    "OMS_JD_GATEWAY_URL": "https://api.jd.com/routerjson", "OMS_JD_APP_KEY": "", "OMS_JD_CARRIER_IDS": "",
    "OMS_NOTIFY_SHOP_NAME": "示例零售",
    "OMS_NOTIFY_LANGUAGE": "zh-CN",
    "OMS_NOTIFY_RETURN_DAYS": "7",
    "OMS_NOTIFY_QUIET_HOURS": "22:00-08:00",
    "OMS_NOTIFY_SMS_PER_RECIPIENT_PER_HOUR": "5",
    "OMS_NOTIFY_MAX_ATTEMPTS": "8",
    "OMS_NOTIFY_RETRY_BASE_MILLISECONDS": "60000",
    "OMS_NOTIFY_POLL_MILLISECONDS": "500",
    "OMS_NOTIFY_CONCURRENCY": "16",
    "OMS_NOTIFY_SETTLE_MILLISECONDS": "1000",
    "OMS_NOTIFY_TIMEOUT_SECONDS": "10",
    "OMS_NOTIFY_CONTACT_WAIT_SECONDS": "86400",
    "OMS_NOTIFY_RETENTION_DAYS": "90",
    "OMS_SMS_ACCESS_KEY_ID": "",
    "OMS_SMS_SIGN_NAME": "",
    "OMS_SMS_ENDPOINT": "https://dysmsapi.aliyuncs.com/",
    "OMS_SMS_REGION": "cn-hangzhou",
    "OMS_SMTP_HOST": "",
    "OMS_SMTP_PORT": "587",
    "OMS_SMTP_TLS": "opportunistic",
    "OMS_SMTP_CA_FILE": "",
    "OMS_SMTP_USERNAME": "",
    "OMS_SMTP_FROM": "",
    "OMS_SMTP_HELO_NAME": "oms.localdomain",
    "OMS_CONSOLE_INTAKE_URL": "http://intake-edge.oms.svc:8080", "OMS_CONSOLE_RISK_URL": "http://risk.oms.svc:8080",
    "OMS_CONSOLE_INVENTORY_URL": "http://inventory.oms.svc:8080", "OMS_CONSOLE_FULFILLMENT_URL": "http://fulfillment.oms.svc:8080",
    "OMS_CONSOLE_LOGISTICS_URL": "http://logistics.oms.svc:8080", "OMS_CONSOLE_AFTERSALES_URL": "http://aftersales.oms.svc:8080",
    "OMS_CONSOLE_INSIGHTS_URL": "http://insights.oms.svc:8080", "OMS_CONSOLE_INTEGRATIONS_URL": "http://integrations.oms.svc:8080",
    "OMS_CONSOLE_SECURE_COOKIES": "true", "OMS_CONSOLE_IDLE_MINUTES": "30", "OMS_CONSOLE_SESSION_HOURS": "12",
    "OMS_CONSOLE_SIGNIN_FAILURES_PER_ACCOUNT": "5", "OMS_CONSOLE_SIGNIN_FAILURES_PER_ADDRESS": "20", "OMS_CONSOLE_SIGNIN_WINDOW_MINUTES": "15",
    "OMS_CONSOLE_BCRYPT_COST": "12",
}
COMMON = [k for k in CONFIG if not any(k in v for v in SERVICE_CONFIG.values())]
# Secret keys (kubectl create secret generic oms-secrets ...; never committed).
SECRETS = {"intake": ["OMS_PII_HASH_KEY"], "risk": ["OMS_PII_HASH_KEY"], "logistics": ["OMS_CARRIER_SECRETS", "OMS_SF_CHECKWORD"],
           "aftersales": ["OMS_WECHATPAY_PRIVATE_KEY", "OMS_WECHATPAY_PLATFORM_PUBLIC_KEY", "OMS_WECHATPAY_APIV3_KEY",
                          "OMS_ALIPAY_PRIVATE_KEY", "OMS_ALIPAY_PUBLIC_KEY", "OMS_NUONUO_APP_SECRET", "OMS_NUONUO_ACCESS_TOKEN"],
           "integrations": ["OMS_PII_HASH_KEY", "OMS_TAOBAO_APP_SECRET", "OMS_TAOBAO_SESSION", "OMS_JD_APP_SECRET", "OMS_JD_ACCESS_TOKEN",
                            "OMS_SMS_ACCESS_KEY_SECRET", "OMS_SMTP_PASSWORD"]}
# Payment-provider and marketplace keys are needed only once a provider or platform is enabled:
# the pods start without them.
OPTIONAL_SECRETS = {"OMS_WECHATPAY_PRIVATE_KEY", "OMS_WECHATPAY_PLATFORM_PUBLIC_KEY", "OMS_WECHATPAY_APIV3_KEY",
                    "OMS_ALIPAY_PRIVATE_KEY", "OMS_ALIPAY_PUBLIC_KEY", "OMS_NUONUO_APP_SECRET", "OMS_NUONUO_ACCESS_TOKEN",
                    "OMS_TAOBAO_APP_SECRET", "OMS_TAOBAO_SESSION", "OMS_JD_APP_SECRET", "OMS_JD_ACCESS_TOKEN", "OMS_SF_CHECKWORD",
                    "OMS_SMS_ACCESS_KEY_SECRET", "OMS_SMTP_PASSWORD"}
# Every service authenticates its HTTP callers with the API tokens (see README "Access control").
for _service in ["intake", "risk", "inventory", "fulfillment", "logistics", "aftersales", "insights", "integrations", "console"]:
    SECRETS.setdefault(_service, []).append("OMS_API_TOKENS")
# The key ring sealing personal data (insights keeps none, but every service checks the variable;
# integrations seals webhook secrets and granted event bodies with it).
for _service in ["intake", "risk", "inventory", "fulfillment", "logistics", "aftersales", "insights", "integrations"]:
    SECRETS[_service].append("OMS_PII_KEYS")


def read_catalogue(path):
    topics = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 4:
                topics[parts[0]] = {"partitions": int(parts[1]), "consumers": [c for c in parts[3].split(",") if c]}
    if not topics:
        sys.exit("render.py: empty catalogue (pass the output of `omsctl topics list`)")
    return topics


def max_replicas(deployment, topics):
    """A group's parallelism is bounded by the partitions of the topics it reads."""
    if deployment["name"] == "intake-worker":
        return topics["oms.intake.raw"]["partitions"]
    consumed = [t["partitions"] for name, t in topics.items()
                if deployment["service"] in t["consumers"] and not name.endswith(".redrive")]
    return max(consumed) if consumed else 3


def documents(deployment, topics):
    name, service = deployment["name"], deployment["service"]
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "retail-oms"}
    env = [{"name": k, "valueFrom": {"configMapKeyRef": {"name": "oms-config", "key": k}}}
           for k in COMMON + SERVICE_CONFIG.get(service, [])]
    env += [{"name": k, "value": v} for k, v in deployment.get("env", {}).items()]
    env.append({"name": "OMS_DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "oms-secrets", "key": f"database-url-{service}"}}})
    env += [{"name": k, "valueFrom": {"secretKeyRef": {"name": "oms-secrets", "key": k.lower().replace("_", "-"),
                                                       **({"optional": True} if k in OPTIONAL_SECRETS else {})}}}
            for k in SECRETS.get(service, [])]
    env.append({"name": "OMS_INSTANCE_ID", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}})
    probe = lambda path, delay: {"httpGet": {"path": path, "port": "http"}, "initialDelaySeconds": delay,
                                 "periodSeconds": 10, "timeoutSeconds": 3, "failureThreshold": 3}
    docs = [{
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels},
        "spec": {
            "replicas": 2, "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels, "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "8080", "prometheus.io/path": "/metrics"}},
                "spec": {
                    "terminationGracePeriodSeconds": 45,
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 10001},
                    "containers": [{
                        "name": name, "image": IMAGE, "command": [deployment["command"]],
                        "ports": [{"name": "http", "containerPort": 8080}], "env": env,
                        "readinessProbe": probe("/health/ready", 5), "livenessProbe": probe("/health/live", 30),
                        "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}},
                        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True},
                        "volumeMounts": [{"name": "kafka-ca", "mountPath": "/etc/kafka-ca", "readOnly": True}],
                    }],
                    "volumes": [{"name": "kafka-ca", "secret": {"secretName": "oms-kafka-cluster-ca-cert"}}],
                },
            },
        },
    }, {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels},
        "spec": {"selector": labels, "ports": [{"name": "http", "port": 8080, "targetPort": "http"}]},
    }, {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels}},
    }]
    limit = max_replicas(deployment, topics)
    if deployment["groups"]:
        docs.append({
            "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {
                "scaleTargetRef": {"name": name}, "minReplicaCount": 2,
                # More consumers than partitions would sit idle: the limit is the partition count.
                "maxReplicaCount": limit, "pollingInterval": 15, "cooldownPeriod": 300,
                "triggers": [{"type": "kafka", "metadata": {
                    "bootstrapServers": BOOTSTRAP, "consumerGroup": group, "lagThreshold": "1000",
                    "allowIdleConsumers": "false", "tls": "enable"},
                    "authenticationRef": {"name": "oms-kafka-tls"}} for group in deployment["groups"]],
            },
        })
    else:
        docs.append({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                     "minReplicas": 2, "maxReplicas": 12,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]},
        })
    return docs


class _PlainDumper(yaml.SafeDumper):
    """Writes repeated label maps out in full instead of as YAML anchors/aliases."""
    def ignore_aliases(self, data):
        return True


def rendered(topics):
    files = {}
    header = "# Rendered by Deploy/k8s/render.py from the topic catalogue; edit the script, not this file.\n"
    dump = lambda docs: header + yaml.dump_all(docs, Dumper=_PlainDumper, sort_keys=False, default_flow_style=False)
    files["config.yaml"] = dump([
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "oms-config", "namespace": NAMESPACE}, "data": CONFIG},
        {"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication", "metadata": {"name": "oms-kafka-tls", "namespace": NAMESPACE},
         "spec": {"secretTargetRef": [{"parameter": "ca", "name": "oms-kafka-cluster-ca-cert", "key": "ca.crt"}]}},
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "oms-topics", "namespace": NAMESPACE},
         "spec": {"backoffLimit": 10, "template": {"spec": {"restartPolicy": "OnFailure", "containers": [{
             "name": "topics", "image": IMAGE, "command": ["omsctl", "topics", "ensure"],
             "env": [{"name": "OMS_KAFKA_BROKERS", "value": BOOTSTRAP}]}]}}}},
    ])
    for deployment in DEPLOYMENTS:
        files[f"{deployment['name']}.yaml"] = dump(documents(deployment, topics))
    files["strimzi-topics.yaml"] = dump([{
        "apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaTopic",
        "metadata": {"name": name.replace(".", "-"), "namespace": NAMESPACE, "labels": {"strimzi.io/cluster": "oms-kafka"}},
        "spec": {"topicName": name, "partitions": t["partitions"], "replicas": 3,
                 "config": {"min.insync.replicas": 2, "retention.ms": 604800000}},
    } for name, t in topics.items()])
    return files


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--catalogue", required=True, help="output of `omsctl topics list`")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    stale = []
    for file, text in rendered(read_catalogue(args.catalogue)).items():
        path = os.path.join(HERE, file)
        if args.check:
            current = open(path).read() if os.path.exists(path) else None
            if current != text:
                stale.append(file)
        else:
            with open(path, "w") as f:
                f.write(text)
    if stale:
        sys.exit("k8s manifests are stale (rerun Deploy/k8s/render.py): " + ", ".join(stale))


if __name__ == "__main__":
    main()
