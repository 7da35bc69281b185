{{/* The release's full name, at most 63 characters. */}}
{{- define "registrar.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "registrar.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "registrar.labels" -}}
{{ include "registrar.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "registrar.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "registrar.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Leader election is on exactly when more than one replica runs. */}}
{{- define "registrar.leaderElection" -}}
{{- if gt (int .Values.replicas) 1 -}}true{{- else -}}false{{- end -}}
{{- end -}}

{{- define "registrar.etcdName" -}}
{{- printf "%s-etcd" (include "registrar.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The etcd endpoints the operator uses: the evaluation etcd, or the configured ones. */}}
{{- define "registrar.etcdEndpoints" -}}
{{- if .Values.etcd.deploy -}}
{{- if or .Values.etcd.endpoints .Values.etcd.tls.existingSecret .Values.etcd.auth.username -}}
{{- fail "etcd.deploy=true runs its own plain-HTTP etcd without authentication: leave etcd.endpoints, etcd.tls and etcd.auth unset, or set etcd.deploy=false to use your etcd" -}}
{{- end -}}
{{- printf "http://%s.%s.svc:2379" (include "registrar.etcdName" .) .Release.Namespace -}}
{{- else -}}
{{- if not .Values.etcd.endpoints -}}
{{- fail "etcd.endpoints is required: set it to your etcd's client URLs (--set etcd.endpoints={https://etcd-0.etcd:2379}), or set etcd.deploy=true for an evaluation etcd" -}}
{{- end -}}
{{- join "," .Values.etcd.endpoints -}}
{{- end -}}
{{- end -}}

{{/* The RBAC rules of docs/rbac.md for watching registrations and Pods. */}}
{{- define "registrar.watchRules" -}}
- apiGroups: ["registrar.dev"]
  resources: ["serviceregistrations"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["registrar.dev"]
  resources: ["serviceregistrations/status"]
  verbs: ["patch"]
{{- if .Values.podReadinessGate }}
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["pods/status"]
  verbs: ["patch"]
{{- else }}
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
{{- end }}
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}
