{{/*
Customs' configuration, rendered from values as a Java properties file. The file is mounted from a
ConfigMap and loaded through QUARKUS_CONFIG_LOCATIONS; "config_ordinal" puts it above the defaults
packaged in Customs (250) and below environment variables (300), which stay available for a one-off
override. Keys are public API (DESIGN.md); the README documents each.
*/}}

{{- define "customs.config.path" -}}/etc/customs/config/application.properties{{- end -}}
{{- define "customs.registryAuth.path" -}}/etc/customs/registry-auth/config.json{{- end -}}
{{- define "customs.registryCa.path" -}}/etc/customs/registry-ca/ca.crt{{- end -}}

{{/* A properties value: backslashes and line breaks escaped, so a value is always one line. */}}
{{- define "customs.prop" -}}
{{- . | toString | replace "\\" "\\\\" | replace "\r" "" | replace "\n" "\\n" -}}
{{- end -}}

{{/*
A list value: items joined by commas. A comma inside an item is escaped for SmallRye Config (\,),
and that backslash once more for the properties syntax.
*/}}
{{- define "customs.propList" -}}
{{- $items := list -}}
{{- range . -}}
{{- $items = append $items (. | toString | replace "\\" "\\\\" | replace "," "\\,") -}}
{{- end -}}
{{- include "customs.prop" (join "," $items) -}}
{{- end -}}

{{/* A duration such as 500ms, 3s, 5m, 24h, 1d, in milliseconds. */}}
{{- define "customs.durationMillis" -}}
{{- $d := toString . -}}
{{- $n := regexFind "^[0-9]+" $d | int64 -}}
{{- $unit := regexReplaceAll "^[0-9]+" $d "" -}}
{{- $factor := get (dict "ms" 1 "s" 1000 "m" 60000 "h" 3600000 "d" 86400000 "" 1000) $unit | int64 -}}
{{- mul $n $factor -}}
{{- end -}}

{{/* Settings that only make sense together; checked once, at render time. */}}
{{- define "customs.validate" -}}
{{- $budget := include "customs.durationMillis" .Values.registry.budget | int64 -}}
{{- $timeout := mul (int64 .Values.webhook.timeoutSeconds) 1000 -}}
{{- if le $timeout $budget -}}
{{- fail (printf "webhook.timeoutSeconds (%d) must be above registry.budget (%s): otherwise the API server gives up on a review before Customs does, and failurePolicy decides instead of Customs" (int .Values.webhook.timeoutSeconds) .Values.registry.budget) -}}
{{- end -}}
{{- if le (int .Values.terminationGracePeriodSeconds) (add .Values.shutdownDelaySeconds .Values.webhook.timeoutSeconds | int) -}}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be above shutdownDelaySeconds + webhook.timeoutSeconds (%d): a terminating pod must finish the reviews it accepted" (int .Values.terminationGracePeriodSeconds) (add .Values.shutdownDelaySeconds .Values.webhook.timeoutSeconds | int)) -}}
{{- end -}}
{{- with .Values.audit.leaderElection -}}
{{- $lease := include "customs.durationMillis" .leaseDuration | int64 -}}
{{- $renew := include "customs.durationMillis" .renewDeadline | int64 -}}
{{- $retry := include "customs.durationMillis" .retryPeriod | int64 -}}
{{- if or (le $lease $renew) (le $renew $retry) -}}
{{- fail (printf "audit.leaderElection: leaseDuration (%s) must be above renewDeadline (%s), and renewDeadline above retryPeriod (%s)" .leaseDuration .renewDeadline .retryPeriod) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.registry.ca.pem .Values.registry.ca.configMap -}}
{{- fail "registry.ca: set pem or configMap, not both" -}}
{{- end -}}
{{- $limit := dig "limits" "memory" "" .Values.resources -}}
{{- if $limit -}}
{{- $heap := include "customs.jvm.mebibytes" .Values.jvm.maxHeap | int64 -}}
{{- $limitMi := include "customs.kube.mebibytes" $limit | int64 -}}
{{- if lt (sub $limitMi $heap) 192 -}}
{{- fail (printf "jvm.maxHeap (%s) leaves %d MiB of resources.limits.memory (%s) to the JVM's memory outside the heap; it needs 192 MiB (class metadata, compiled code, I/O buffers, threads, the JVM itself), or the kernel kills Customs before Java can: lower jvm.maxHeap or raise the limit" .Values.jvm.maxHeap (sub $limitMi $heap) $limit) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A JVM size (288m, 1g, 512k) in MiB. */}}
{{- define "customs.jvm.mebibytes" -}}
{{- $n := regexFind "^[0-9]+" . | int64 -}}
{{- $unit := regexReplaceAll "^[0-9]+" . "" | lower -}}
{{- if eq $unit "g" -}}{{ mul $n 1024 }}{{- else if eq $unit "m" -}}{{ $n }}{{- else -}}{{ div $n 1024 }}{{- end -}}
{{- end -}}

{{/* A Kubernetes quantity of memory (512Mi, 1Gi, 600M, 536870912) in MiB, rounded down. */}}
{{- define "customs.kube.mebibytes" -}}
{{- $q := toString . -}}
{{- $n := regexFind "^[0-9]+" $q | int64 -}}
{{- $unit := regexReplaceAll "^[0-9]+" $q "" -}}
{{- $bytes := get (dict "" 1 "k" 1000 "Ki" 1024 "M" 1000000 "Mi" 1048576 "G" 1000000000 "Gi" 1073741824 "T" 1000000000000 "Ti" 1099511627776) $unit | int64 -}}
{{- if not $bytes -}}
{{- fail (printf "resources.limits.memory: %q is not a memory quantity the chart reads (512Mi, 1Gi, 600M)" $q) -}}
{{- end -}}
{{- div (mul $n $bytes) 1048576 -}}
{{- end -}}

{{/* The JVM options of the container (values jvm.*): sizes first, then extraOptions. */}}
{{- define "customs.jvm.options" -}}
{{- $o := list (printf "-Xms%s" .Values.jvm.maxHeap) (printf "-Xmx%s" .Values.jvm.maxHeap) (printf "-Xmn%s" .Values.jvm.youngGeneration) (printf "-XX:MaxMetaspaceSize=%s" .Values.jvm.maxMetaspace) (printf "-XX:ReservedCodeCacheSize=%s" .Values.jvm.codeCache) (printf "-XX:MaxDirectMemorySize=%s" .Values.jvm.maxDirectMemory) (printf "-Xss%s" .Values.jvm.threadStack) (printf "-XX:CompileThresholdScaling=%v" .Values.jvm.compileThresholdScaling) "-XX:+UseSerialGC" "-XX:+ExitOnOutOfMemoryError" "-XX:ThreadPriorityPolicy=1" "-XX:JavaPriority1_To_OSPriority=19" -}}
{{- concat $o (.Values.jvm.extraOptions | default list) | join " " -}}
{{- end -}}

{{- define "customs.config.properties" -}}
{{- include "customs.validate" . -}}
# Customs' configuration, rendered by the Helm chart from its values: change the values, not this file.
config_ordinal=275
quarkus.log.level={{ .Values.logLevel }}

# Admission over HTTPS only, with the certificate mounted from the Secret {{ include "customs.tls.secretName" . }};
# Customs re-reads it when the Secret changes. Health and metrics stay on plain HTTP (port 9000).
quarkus.http.ssl-port=8443
quarkus.management.port=9000
quarkus.http.insecure-requests=disabled
quarkus.http.tls-configuration-name=webhook
quarkus.tls.webhook.key-store.pem.0.cert={{ include "customs.tls.mountPath" . }}/tls.crt
quarkus.tls.webhook.key-store.pem.0.key={{ include "customs.tls.mountPath" . }}/tls.key
quarkus.shutdown.delay={{ .Values.shutdownDelaySeconds }}s
quarkus.shutdown.timeout={{ .Values.webhook.timeoutSeconds }}s

# Rules
{{- range $id, $rule := .Values.rules }}
customs.rules."{{ $id }}".action={{ $rule.action }}
{{- if $rule.extraPaths }}
customs.rules."{{ $id }}".extra-paths={{ include "customs.propList" $rule.extraPaths }}
{{- end }}
{{- if $rule.requiredKeys }}
customs.rules."{{ $id }}".required-keys={{ include "customs.propList" $rule.requiredKeys }}
{{- end }}
{{- if $rule.maxSize }}
customs.rules."{{ $id }}".max-size={{ include "customs.prop" $rule.maxSize }}
{{- end }}
{{- if $rule.movingTags }}
customs.rules."{{ $id }}".moving-tags={{ include "customs.propList" $rule.movingTags }}
{{- end }}
{{- if $rule.layers }}
customs.rules."{{ $id }}".layers={{ $rule.layers }}
{{- end }}
{{- if $rule.layerMaxBytes }}
customs.rules."{{ $id }}".layer-max-bytes={{ $rule.layerMaxBytes }}
{{- end }}
{{- if $rule.layerRate }}
customs.rules."{{ $id }}".layer-rate={{ $rule.layerRate }}
{{- end }}
{{- if $rule.layerConcurrency }}
customs.rules."{{ $id }}".layer-concurrency={{ $rule.layerConcurrency }}
{{- end }}
{{- end }}

# Registry access
{{- with .Values.registry }}
customs.registry.on-error={{ .onError }}
customs.registry.budget={{ .budget }}
customs.registry.request-timeout={{ .requestTimeout }}
{{- if .insecureRegistries }}
customs.registry.insecure-registries={{ include "customs.propList" .insecureRegistries }}
{{- end }}
{{- range $host, $mirror := .mirrors }}
customs.registry.mirrors."{{ $host }}"={{ include "customs.prop" $mirror }}
{{- end }}
{{- if or .ca.pem .ca.configMap }}
customs.registry.ca-file={{ include "customs.registryCa.path" $ }}
{{- end }}
{{- if .auth.secretName }}
customs.registry.auth-file={{ include "customs.registryAuth.path" $ }}
{{- end }}
customs.registry.use-pull-secrets={{ .usePullSecrets }}
{{- if .platforms }}
customs.registry.platforms={{ include "customs.propList" .platforms }}
{{- end }}
{{- if .blockedNetworks }}
customs.registry.blocked-networks={{ include "customs.propList" .blockedNetworks }}
{{- end }}
{{- if .allowedHosts }}
customs.registry.allowed-hosts={{ include "customs.propList" .allowedHosts }}
{{- end }}
customs.registry.tag-ttl={{ .tagTtl }}
customs.registry.max-stale={{ .maxStale }}
customs.registry.negative-ttl={{ .negativeTtl }}
customs.registry.cache-size={{ int64 .cacheSize }}
customs.registry.cache-memory={{ .cacheMemory }}
{{- end }}

# Admission limits
customs.admission.max-bytes-in-flight={{ .Values.admission.maxBytesInFlight }}
customs.admission.body-timeout={{ .Values.admission.bodyTimeout }}
customs.admission.max-containers={{ int64 .Values.admission.maxContainers }}

# Exemptions
{{- range $name, $e := .Values.exemptions }}
{{- if $e }}
{{- $namespaces := $e.namespaces | default list }}
{{- if eq $name "system" }}
{{- $namespaces = prepend $namespaces $.Release.Namespace | uniq }}
{{- end }}
{{- range $key := list "images" "users" "groups" "rules" }}
{{- if index $e $key }}
customs.exemptions."{{ $name }}".{{ $key }}={{ include "customs.propList" (index $e $key) }}
{{- end }}
{{- end }}
{{- if $namespaces }}
customs.exemptions."{{ $name }}".namespaces={{ include "customs.propList" $namespaces }}
{{- end }}
{{- if $e.reason }}
customs.exemptions."{{ $name }}".reason={{ include "customs.prop" $e.reason }}
{{- end }}
{{- if $e.expires }}
customs.exemptions."{{ $name }}".expires={{ $e.expires }}
{{- end }}
{{- end }}
{{- end }}

# Audit, reports and metrics
customs.audit.interval={{ .Values.audit.interval }}
customs.audit.events={{ .Values.audit.events }}
customs.audit.concurrency={{ int64 .Values.audit.concurrency }}
customs.audit.page-size={{ int64 .Values.audit.pageSize }}
customs.audit.objects-per-second={{ .Values.audit.objectsPerSecond }}
customs.audit.images-per-second={{ .Values.audit.imagesPerSecond }}
customs.audit.max-yield={{ .Values.audit.maxYield }}
customs.reports.enabled={{ .Values.reports.enabled }}
customs.reports.formats={{ include "customs.propList" .Values.reports.formats }}
customs.reports.max-results={{ int64 .Values.reports.maxResults }}
customs.leader-election.lease-name={{ include "customs.leaseName" . }}
customs.leader-election.lease-duration={{ .Values.audit.leaderElection.leaseDuration }}
customs.leader-election.renew-deadline={{ .Values.audit.leaderElection.renewDeadline }}
customs.leader-election.retry-period={{ .Values.audit.leaderElection.retryPeriod }}
customs.metrics.namespace-label={{ .Values.metrics.namespaceLabel }}
{{- end -}}
