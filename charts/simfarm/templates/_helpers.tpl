{{/* Chart name, shortened to the 63 characters of a label value. */}}
{{- define "simfarm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Resource name prefix: <release>-<chart>, or the release name when it already contains the chart name. */}}
{{- define "simfarm.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "simfarm.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* <fullname>-<suffix>, kept within 63 characters. Call with (list . "suffix"). */}}
{{- define "simfarm.componentName" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "simfarm.fullname" $root | trunc (int (sub 62 (len (index . 1))))) (index . 1) | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select one component's pods. Call with (list . "component"). */}}
{{- define "simfarm.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "simfarm.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* Every object's labels. Call with (list . "component"). */}}
{{- define "simfarm.labels" -}}
{{ include "simfarm.selectorLabels" . }}
{{- $root := index . 0 }}
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: simfarm
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "simfarm.serviceAccountName" -}}
{{- include "simfarm.componentName" (list . "operator") -}}
{{- end -}}

{{/* The namespaces whose VideoRequests the operator serves, as a list; "scope: cluster" gives none. */}}
{{- define "simfarm.watchedNamespaces" -}}
{{- if eq .Values.watch.scope "namespaces" -}}
{{- toJson (.Values.watch.namespaces | default (list .Release.Namespace)) -}}
{{- else -}}
[]
{{- end -}}
{{- end -}}

{{/* Namespaces known to hold VideoRequests: the served ones, or the release namespace when serving the cluster. */}}
{{- define "simfarm.requestNamespaces" -}}
{{- $watched := include "simfarm.watchedNamespaces" . | fromJsonArray -}}
{{- toJson ($watched | default (list .Release.Namespace)) -}}
{{- end -}}

{{/* Namespaces that need the S3 Secret: the operator's (it mounts it) and every request namespace (workers do). */}}
{{- define "simfarm.s3SecretNamespaces" -}}
{{- toJson (prepend (include "simfarm.requestNamespaces" . | fromJsonArray) .Release.Namespace | uniq) -}}
{{- end -}}

{{/* Name of the Secret with the S3 endpoint and credentials (operator and render workers). */}}
{{- define "simfarm.s3SecretName" -}}
{{- if and (eq .Values.storage.mode "external") .Values.storage.external.existingSecret -}}
{{- .Values.storage.external.existingSecret -}}
{{- else -}}
{{- include "simfarm.componentName" (list . "s3") -}}
{{- end -}}
{{- end -}}

{{- define "simfarm.minioName" -}}
{{- include "simfarm.componentName" (list . "minio") -}}
{{- end -}}

{{/* The Secret with the LLM rewriter endpoint: yours (existingSecret) or the one the chart creates. */}}
{{- define "simfarm.llmSecretName" -}}
{{- .Values.rewriter.llm.existingSecret | default (include "simfarm.componentName" (list . "llm")) -}}
{{- end -}}

{{/* Whether the operator gets an LLM endpoint at all. */}}
{{- define "simfarm.llmConfigured" -}}
{{- if or .Values.rewriter.llm.existingSecret .Values.rewriter.llm.baseUrl -}}true{{- end -}}
{{- end -}}

{{/* Whether to create a ServiceMonitor: by value, or when the Prometheus Operator API is served. */}}
{{- define "simfarm.serviceMonitorEnabled" -}}
{{- $create := .Values.metrics.serviceMonitor.create -}}
{{- if or (eq $create "always") (and (eq $create "auto") (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1")) -}}true{{- end -}}
{{- end -}}

{{/* The RBAC rules of the operator: exactly the calls it makes (simfarm.cluster.permissions). */}}
{{- define "simfarm.operatorRules" -}}
- apiGroups: ["simfarm.dev"]
  resources: ["videorequests"]
  verbs: ["list", "watch", "patch"]
- apiGroups: ["simfarm.dev"]
  resources: ["videorequests/status"]
  verbs: ["patch"]
{{- /* kopf.adopt sets blockOwnerDeletion: allowed only to who may update the owner's finalizers */}}
- apiGroups: ["simfarm.dev"]
  resources: ["videorequests/finalizers"]
  verbs: ["update"]
{{- /* AssetCatalogs: watched, their finalizer and status patched; import Jobs are adopted by them */}}
- apiGroups: ["simfarm.dev"]
  resources: ["assetcatalogs"]
  verbs: ["list", "watch", "patch"]
- apiGroups: ["simfarm.dev"]
  resources: ["assetcatalogs/status"]
  verbs: ["patch"]
- apiGroups: ["simfarm.dev"]
  resources: ["assetcatalogs/finalizers"]
  verbs: ["update"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["create", "get", "list", "watch"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- /* the LLM endpoint Secret a request names (spec.rewriter.endpointSecretRef); get only, never list */}}
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
{{- if gt (int .Values.replicas) 1 }}
- apiGroups: ["kopf.dev"]
  resources: [{{ eq .Values.watch.scope "cluster" | ternary "clusterkopfpeerings" "kopfpeerings" | quote }}]
  verbs: ["list", "watch", "patch"]
{{- end }}
{{- end -}}

{{- define "simfarm.vectorStoreName" -}}
{{- include "simfarm.componentName" (list . "vector-store") -}}
{{- end -}}

{{/* The operator image, which the import Jobs (and, by default, the bundled vector store) run too. */}}
{{- define "simfarm.operatorImage" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* The vector store's URL: the bundled server's Service, vectorStore.url, or none. */}}
{{- define "simfarm.vectorStoreUrl" -}}
{{- if eq .Values.vectorStore.mode "bundled" -}}
{{- printf "http://%s.%s.svc:%d" (include "simfarm.vectorStoreName" .) .Release.Namespace (int .Values.vectorStore.port) -}}
{{- else if eq .Values.vectorStore.mode "external" -}}
{{- .Values.vectorStore.url | trimSuffix "/" -}}
{{- end -}}
{{- end -}}
