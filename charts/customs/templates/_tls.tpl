{{/*
TLS: where the serving certificate lives and which names it must cover. Both modes write the same
Secret ("<fullname>-tls", keys tls.crt, tls.key, ca.crt), so the Deployment does not depend on the mode.
*/}}

{{- define "customs.tls.secretName" -}}
{{- printf "%s-tls" (include "customs.fullname" .) -}}
{{- end -}}

{{/* Where the Secret is mounted; the configuration points Quarkus' TLS registry at these files. */}}
{{- define "customs.tls.mountPath" -}}/etc/customs/tls{{- end -}}

{{/*
The names the API server may use for the Service (it calls <service>.<namespace>.svc), and the host
of webhook.url when that is a name.
*/}}
{{- define "customs.tls.dnsNames" -}}
{{- $svc := include "customs.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- $names := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) -}}
{{- $host := include "customs.tls.urlHost" . -}}
{{- if and $host (not (include "customs.tls.isIp" $host)) -}}
{{- $names = append $names $host -}}
{{- end -}}
{{- $names | toJson -}}
{{- end -}}

{{/* The IP addresses the certificate covers: the host of webhook.url when that is an address. */}}
{{- define "customs.tls.ipAddresses" -}}
{{- $host := include "customs.tls.urlHost" . -}}
{{- if and $host (include "customs.tls.isIp" $host) -}}
{{- list $host | toJson -}}
{{- else -}}
{{- list | toJson -}}
{{- end -}}
{{- end -}}

{{- define "customs.tls.urlHost" -}}
{{- if .Values.webhook.url -}}
{{- (urlParse .Values.webhook.url).hostname -}}
{{- end -}}
{{- end -}}

{{/* "true" for an IPv4 or IPv6 address, empty for a name. */}}
{{- define "customs.tls.isIp" -}}
{{- if or (regexMatch "^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$" .) (contains ":" .) -}}true{{- end -}}
{{- end -}}

{{/*
The certificate material of "generate" mode, as a dict {ca, crt, key} of PEM strings: the material
of the existing Secret when there is one (so "helm upgrade" keeps the CA the API server trusts),
otherwise a new CA and a serving certificate signed by it. `lookup` answers nothing in a client-side
render (helm template, --dry-run): those get new material every time.
*/}}
{{- define "customs.tls.generated" -}}
{{- $secret := dict -}}
{{- if .Values.tls.generate.reuseExisting -}}
{{- $secret = lookup "v1" "Secret" .Release.Namespace (include "customs.tls.secretName" .) -}}
{{- end -}}
{{- $data := dict -}}
{{- if $secret -}}
{{- $data = $secret.data | default dict -}}
{{- end -}}
{{- if and (hasKey $data "ca.crt") (hasKey $data "tls.crt") (hasKey $data "tls.key") -}}
{{- dict "ca" (index $data "ca.crt" | b64dec) "crt" (index $data "tls.crt" | b64dec) "key" (index $data "tls.key" | b64dec) | toJson -}}
{{- else -}}
{{- $days := int .Values.tls.generate.validityDays -}}
{{- $ca := genCA (printf "%s-ca" (include "customs.fullname" .)) $days -}}
{{- $names := include "customs.tls.dnsNames" . | fromJsonArray -}}
{{- $ips := include "customs.tls.ipAddresses" . | fromJsonArray -}}
{{- $cert := genSignedCert (index $names 2) $ips $names $days $ca -}}
{{- dict "ca" $ca.Cert "crt" $cert.Cert "key" $cert.Key | toJson -}}
{{- end -}}
{{- end -}}
