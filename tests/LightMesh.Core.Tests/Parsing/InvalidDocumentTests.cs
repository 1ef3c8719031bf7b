using LightMesh.Core.Parsing;

namespace LightMesh.Core.Tests.Parsing;

public sealed class InvalidDocumentTests
{
    private const string Vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: checkout\n";
    private const string Dr = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: checkout\n";
    private const string Svc = "apiVersion: lightmesh.io/v1\nkind: Service\nmetadata:\n  name: checkout\n";
    private const string Node = "apiVersion: lightmesh.io/v1\nkind: Node\nmetadata:\n  name: node-1\n";
    private const string Route = "  - route:\n    - destination:\n        host: checkout\n";
    private const string Rgw = "apiVersion: lightmesh.io/v1\nkind: ReleaseGroupWorkflow\nmetadata: {name: shop}\n";

    /// <summary>Each case: a document, the path of the error it must produce, and words the message must hold.</summary>
    public static TheoryData<string, string, string, string> Cases => new()
    {
        // name, yaml, path, message fragment
        { "vs-no-hosts", Vs + "spec:\n  http:\n" + Route, "spec.hosts", "is required" },
        { "vs-empty-hosts", Vs + "spec:\n  hosts: []\n  http:\n" + Route, "spec.hosts", "must not be empty" },
        { "vs-host-not-string", Vs + "spec:\n  hosts: [42]\n  http:\n" + Route, "spec.hosts[0]", "must be a string" },
        { "vs-wildcard-host", Vs + "spec:\n  hosts: ['*']\n  http:\n" + Route, "spec.hosts[0]", "wildcard" },
        { "vs-host-twice", Vs + "spec:\n  hosts: [checkout, payments, checkout]\n  http:\n" + Route, "spec.hosts[2]", "host \"checkout\" is listed more than once (also spec.hosts[0])" },
        { "vs-bad-host", Vs + "spec:\n  hosts: [Check_Out]\n  http:\n" + Route, "spec.hosts[0]", "DNS-1123" },
        { "vs-no-http", Vs + "spec:\n  hosts: [checkout]\n", "spec.http", "is required" },
        { "vs-tcp-block", Vs + "spec:\n  hosts: [checkout]\n  tcp:\n  - route: []\n  http:\n" + Route, "spec.tcp", "unsupported field" },
        { "vs-gateways", Vs + "spec:\n  hosts: [checkout]\n  gateways: [mesh]\n  http:\n" + Route, "spec.gateways", "unsupported field" },
        { "vs-http-not-list", Vs + "spec:\n  hosts: [checkout]\n  http: {route: []}\n", "spec.http", "must be a list" },
        { "vs-route-missing", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - name: a\n", "spec.http[0].route", "is required" },
        { "vs-route-empty", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route: []\n", "spec.http[0].route", "must not be empty" },
        { "vs-destination-missing", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route:\n    - weight: 100\n", "spec.http[0].route[0].destination", "is required" },
        { "vs-destination-host-missing", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination:\n        subset: v1\n", "spec.http[0].route[0].destination.host", "is required" },
        { "vs-negative-weight", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination: {host: checkout, subset: v1}\n      weight: 100\n    - destination: {host: checkout, subset: v2}\n      weight: -5\n", "spec.http[0].route[1].weight", "must be >= 0" },
        { "vs-weight-string", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination: {host: checkout}\n      weight: \"50\"\n", "spec.http[0].route[0].weight", "must be a whole number" },
        { "vs-weight-fraction", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination: {host: checkout}\n      weight: 50.5\n", "spec.http[0].route[0].weight", "must be a whole number" },
        { "vs-weights-zero-total", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination: {host: checkout, subset: v1}\n      weight: 0\n    - destination: {host: checkout, subset: v2}\n      weight: 0\n", "spec.http[0].route", "add up to more than 0" },
        { "vs-bad-subset-name", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination: {host: checkout, subset: V_1}\n", "spec.http[0].route[0].destination.subset", "DNS-1123 label" },
        { "vs-port-range", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination: {host: checkout, port: {number: 70000}}\n", "spec.http[0].route[0].destination.port.number", "must be <= 65535" },
        { "vs-port-unknown-field", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination: {host: checkout, port: {name: http}}\n", "spec.http[0].route[0].destination.port.name", "unsupported field" },
        { "vs-headers-upper-case", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination: {host: checkout}\n      headers: {response: {add: {Set-Cookie: a=b}}}\n", "spec.http[0].route[0].headers.response.add.Set-Cookie", "lower-case header name" },
        { "vs-headers-host", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination: {host: checkout}\n      headers: {request: {set: {host: elsewhere}}}\n", "spec.http[0].route[0].headers.request.set.host", "cannot be changed by a route" },
        { "vs-headers-remove-pseudo", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination: {host: checkout}\n      headers: {request: {remove: [':path']}}\n", "spec.http[0].route[0].headers.request.remove[0]", "cannot be changed by a route" },
        { "vs-headers-line-break", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination: {host: checkout}\n      headers: {response: {set: {x-a: \"b\\r\\nx-b: c\"}}}\n", "spec.http[0].route[0].headers.response.set.x-a", "line break" },
        { "vs-headers-unknown-field", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - route:\n    - destination: {host: checkout}\n      headers: {upstream: {set: {x-a: b}}}\n", "spec.http[0].route[0].headers.upstream", "unsupported field" },
        { "vs-timeout-format", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - timeout: 2 seconds\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].timeout", "is not a duration" },
        { "vs-timeout-too-small", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - timeout: 0s\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].timeout", "must be at least 1ms" },
        { "vs-timeout-number", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - timeout: 5\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].timeout", "must be a string" },
        { "vs-retries-attempts-missing", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - retries: {perTryTimeout: 1s}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].retries.attempts", "is required" },
        { "vs-retries-negative", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - retries: {attempts: -1}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].retries.attempts", "must be >= 0" },
        { "vs-retry-on-unknown", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - retries: {attempts: 2, retryOn: '5xx,sometimes'}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].retries.retryOn", "\"sometimes\"" },
        { "vs-per-try-bad", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - retries: {attempts: 2, perTryTimeout: soon}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].retries.perTryTimeout", "is not a duration" },
        { "vs-fault-empty", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - fault: {}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].fault", "must set delay or abort" },
        { "vs-fault-delay-missing-fixed", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - fault: {delay: {percentage: {value: 5}}}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].fault.delay.fixedDelay", "is required" },
        { "vs-fault-percentage-range", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - fault: {delay: {fixedDelay: 1s, percentage: {value: 150}}}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].fault.delay.percentage.value", "between 0 and 100" },
        { "vs-fault-abort-status", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - fault: {abort: {httpStatus: 999}}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].fault.abort.httpStatus", "must be <= 599" },
        { "vs-fault-percent-deprecated", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - fault: {abort: {httpStatus: 503, percent: 10}}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].fault.abort.percent", "unsupported field" },
        { "vs-mirror-percentage-alone", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - mirrorPercentage: {value: 10}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].mirrorPercentage", "no mirror" },
        { "vs-mirror-no-host", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - mirror: {subset: v2}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].mirror.host", "is required" },
        { "vs-match-two-kinds", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - match:\n    - uri: {exact: /a, prefix: /b}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].match[0].uri", "only one of" },
        { "vs-match-no-kind", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - match:\n    - uri: {}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].match[0].uri", "must set one of" },
        { "vs-match-bad-regex", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - match:\n    - uri: {regex: '/(a'}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].match[0].uri.regex", "not a valid regular expression" },
        { "vs-match-lookahead", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - match:\n    - headers: {x-a: {regex: '(?=a)b'}}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].match[0].headers.x-a.regex", "RE2" },
        { "vs-match-uppercase-header", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - match:\n    - headers: {X-Canary: {exact: 'yes'}}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].match[0].headers.X-Canary", "lower case" },
        { "vs-match-uri-no-slash", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - match:\n    - uri: {prefix: api}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].match[0].uri", "must start with '/'" },
        { "vs-match-unsupported-field", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - match:\n    - queryParams: {a: {exact: b}}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].match[0].queryParams", "unsupported field" },
        { "vs-ignore-case-type", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - match:\n    - uri: {prefix: /a}\n      ignoreUriCase: 'yes'\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].match[0].ignoreUriCase", "true or false" },
        { "vs-redirect", Vs + "spec:\n  hosts: [checkout]\n  http:\n  - redirect: {uri: /x}\n    route:\n    - destination: {host: checkout}\n", "spec.http[0].redirect", "unsupported field" },
        { "dr-no-host", Dr + "spec:\n  subsets: []\n", "spec.host", "is required" },
        { "dr-duplicate-subset", Dr + "spec:\n  host: checkout\n  subsets:\n  - name: v1\n    labels: {version: v1}\n  - name: v1\n    labels: {version: v2}\n", "spec.subsets[1].name", "more than once" },
        { "dr-bad-subset-name", Dr + "spec:\n  host: checkout\n  subsets:\n  - name: Canary!\n", "spec.subsets[0].name", "DNS-1123 label" },
        { "dr-subset-no-name", Dr + "spec:\n  host: checkout\n  subsets:\n  - labels: {version: v1}\n", "spec.subsets[0].name", "is required" },
        { "dr-label-number", Dr + "spec:\n  host: checkout\n  subsets:\n  - name: v1\n    labels: {version: 1}\n", "spec.subsets[0].labels.version", "must be a string" },
        { "dr-lb-unknown", Dr + "spec:\n  host: checkout\n  trafficPolicy:\n    loadBalancer: {simple: PASSTHROUGH}\n", "spec.trafficPolicy.loadBalancer.simple", "not supported" },
        { "dr-lb-consistent-hash", Dr + "spec:\n  host: checkout\n  trafficPolicy:\n    loadBalancer: {consistentHash: {httpHeaderName: x}}\n", "spec.trafficPolicy.loadBalancer.consistentHash", "unsupported field" },
        { "dr-tls", Dr + "spec:\n  host: checkout\n  trafficPolicy:\n    tls: {mode: ISTIO_MUTUAL}\n", "spec.trafficPolicy.tls", "unsupported field" },
        { "dr-pool-zero", Dr + "spec:\n  host: checkout\n  trafficPolicy:\n    connectionPool: {tcp: {maxConnections: 0}}\n", "spec.trafficPolicy.connectionPool.tcp.maxConnections", "must be >= 1" },
        { "dr-outlier-percent", Dr + "spec:\n  host: checkout\n  trafficPolicy:\n    outlierDetection: {maxEjectionPercent: 120}\n", "spec.trafficPolicy.outlierDetection.maxEjectionPercent", "must be <= 100" },
        { "dr-subset-policy-bad", Dr + "spec:\n  host: checkout\n  subsets:\n  - name: v2\n    trafficPolicy:\n      outlierDetection: {interval: fast}\n", "spec.subsets[0].trafficPolicy.outlierDetection.interval", "is not a duration" },
        { "svc-bad-protocol", Svc + "spec:\n  protocol: tcp\n  port: 80\n", "spec.protocol", "http or grpc" },
        { "svc-no-port", Svc + "spec:\n  protocol: http\n", "spec.port", "is required" },
        { "svc-port-zero", Svc + "spec:\n  protocol: http\n  port: 0\n", "spec.port", "must be >= 1" },
        { "svc-name-dots", "apiVersion: lightmesh.io/v1\nkind: Service\nmetadata:\n  name: check.out\nspec:\n  protocol: http\n  port: 80\n", "metadata.name", "DNS-1123 label" },
        { "node-bad-address", Node + "spec:\n  address: my-host\n", "spec.address", "IP address" },
        { "node-bad-docker", Node + "spec:\n  address: 127.0.0.1\n  dockerEndpoint: http://x\n", "spec.dockerEndpoint", "unix:///path or tcp://host:port" },
        { "node-proxy-port", Node + "spec:\n  address: 127.0.0.1\n  proxyPort: 99999\n", "spec.proxyPort", "must be <= 65535" },
        { "node-token-not-a-hash", Node + "spec:\n  address: 127.0.0.1\n  proxyToken: {sha256: my-secret}\n", "spec.proxyToken.sha256", "64 hex digits" },
        { "node-token-no-hash", Node + "spec:\n  address: 127.0.0.1\n  proxyToken: {file: /etc/lightmesh/token}\n", "spec.proxyToken.sha256", "is required" },
        { "node-token-unknown-field", Node + "spec:\n  address: 127.0.0.1\n  proxyToken: {sha256: " + new string('a', 64) + ", token: x}\n", "spec.proxyToken.token", "" },
        { "node-sidecar-token-no-file", Node + "spec:\n  address: 127.0.0.1\n  sidecar: {image: envoy}\n  proxyToken: {sha256: " + new string('a', 64) + "}\n", "spec.proxyToken.file", "is required with a sidecar" },
        { "at-no-metrics", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  args: []\n", "spec.metrics", "is required" },
        { "at-unknown-argument", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n  - name: m\n    provider: {prometheus: {query: 'up{job=\"{{job}}\"}'}}\n", "spec.metrics[0].provider.prometheus.query", "unknown argument \"job\"" },
        { "at-bad-condition", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n  - name: m\n    provider: {prometheus: {query: up}}\n    successCondition: result <\n", "spec.metrics[0].successCondition", "unexpected end" },
        { "at-default-not-a-literal", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  args:\n  - {name: limit, value: \"0.05 or true\"}\n  metrics:\n  - name: m\n    provider: {prometheus: {query: up}}\n    successCondition: result < {{limit}}\n", "spec.args[0].value", "\"0.05 or true\" is not a number" },
        { "at-default-unsafe-in-query", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  args:\n  - {name: job, value: 'a\"} or vector(1)'}\n  metrics:\n  - name: m\n    provider: {prometheus: {query: 'up{job=\"{{job}}\"}'}}\n", "spec.args[0].value", "cannot go into the query of metric m" },
        { "at-argument-two-types", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  args:\n  - {name: x}\n  metrics:\n  - name: m\n    provider: {prometheus: {query: up}}\n    successCondition: result < {{x}}\n  - name: n\n    provider: {prometheus: {query: up}}\n    successCondition: '{{x}}'\n", "spec.metrics[1].successCondition", "argument \"x\" is a condition here but a number in spec.metrics[0].successCondition" },
        { "at-condition-too-deep", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n  - name: m\n    provider: {prometheus: {query: up}}\n    successCondition: '" + new string('(', 40) + "result < 1" + new string(')', 40) + "'\n", "spec.metrics[0].successCondition", "nested more than 32 deep" },
        { "at-condition-too-long", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n  - name: m\n    provider: {prometheus: {query: up}}\n    successCondition: 'result < 1" + string.Concat(Enumerable.Repeat(" or result < 1", 100)) + "'\n", "spec.metrics[0].successCondition", "1410 characters long; a condition may be at most 1024" },
        { "at-no-provider", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n  - name: m\n", "spec.metrics[0].provider", "is required" },
        { "at-bad-nodata", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n  - name: m\n    provider: {prometheus: {query: up}}\n    noData: ignore\n", "spec.metrics[0].noData", "inconclusive, fail or pass" },
        { "at-judge-with-condition", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n  - name: m\n    provider: {prometheus: {query: up}}\n    successCondition: result > 0\n    judge: {baselineQuery: up}\n", "spec.metrics[0].judge", "no success or failure condition" },
        { "at-builtin-arg-declared", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  args:\n  - {name: service}\n  metrics:\n  - name: m\n    provider: {prometheus: {query: up}}\n", "spec.args[0].name", "given by every run" },
        { "at-scoring-order", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n  - name: m\n    provider: {prometheus: {query: up}}\n  scoring: {pass: 60, marginal: 80}\n", "spec.scoring.marginal", "must not be above pass" },
        { "at-judge-short-window", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n  - name: m\n    provider: {prometheus: {query: up}}\n    judge: {baselineQuery: up, window: 1m, step: 30s}\n", "spec.metrics[0].judge.window", "1m at step 30s gives 3 points per side; confidence 0.98 needs at least 5" },
        { "at-judge-long-step", "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n  - name: m\n    provider: {prometheus: {query: up}}\n    judge: {baselineQuery: up, step: 4m}\n", "spec.metrics[0].judge.step", "10m (the default) at step 4m gives 3 points per side; confidence 0.98 needs at least 5" },
        { "rw-unknown-step", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - canaryWeight: 5\n", "spec.steps[1].canaryWeight", "unknown step \"canaryWeight\"" },
        { "rw-approval-group-not-bool", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - approval: {group: \"yes\"}\n", "spec.steps[1].approval.group", "must be true or false" },
        { "rw-approval-unknown-field", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - approval: {by: ops}\n", "spec.steps[1].approval.by", "" },
        { "rw-weight-range", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setWeight: 150\n", "spec.steps[1].setWeight", "must be <= 100" },
        { "rw-weight-before-deploy", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - setWeight: 10\n  - deploy: {}\n", "spec.steps[0].setWeight", "before a deploy step" },
        { "rw-header-route-empty-match", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setHeaderRoute: {name: beta, match: []}\n", "spec.steps[1].setHeaderRoute.match", "at least one condition" },
        { "rw-header-route-name", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setHeaderRoute: {name: Beta_1, match: [{headerName: x-user, headerValue: {exact: beta}}]}\n", "spec.steps[1].setHeaderRoute.name", "" },
        { "rw-header-route-upper-case", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setHeaderRoute: {name: beta, match: [{headerName: X-User, headerValue: {exact: beta}}]}\n", "spec.steps[1].setHeaderRoute.match[0].headerName", "lower case" },
        { "rw-header-route-regex", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setHeaderRoute: {name: beta, match: [{headerName: x-user, headerValue: {regex: '(a)\\1'}}]}\n", "spec.steps[1].setHeaderRoute.match[0].headerValue.regex", "RE2" },
        { "rw-header-route-both", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setHeaderRoute: {name: beta, match: [{headerName: x-user, cookieName: user, headerValue: {exact: a}}]}\n", "spec.steps[1].setHeaderRoute.match[0]", "not both" },
        { "rw-header-route-no-value", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setHeaderRoute: {name: beta, match: [{cookieName: user}]}\n", "spec.steps[1].setHeaderRoute.match[0].cookieValue", "is required" },
        { "rw-header-route-two-cookies", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setHeaderRoute: {name: beta, match: [{cookieName: a, cookieValue: {exact: '1'}}, {cookieName: b, cookieValue: {exact: '2'}}]}\n", "spec.steps[1].setHeaderRoute.match", "at most one cookie" },
        { "rw-header-route-set-twice", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setHeaderRoute: {name: beta, match: [{headerName: x-a, headerValue: {exact: '1'}}]}\n  - setHeaderRoute: {name: beta, match: [{headerName: x-b, headerValue: {exact: '2'}}]}\n", "spec.steps[2].setHeaderRoute.name", "set already by an earlier setHeaderRoute step" },
        { "rw-header-route-remove-unset", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setHeaderRoute: {name: beta}\n", "spec.steps[1].setHeaderRoute.name", "no earlier step sets" },
        { "rw-header-route-before-deploy", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - setHeaderRoute: {name: beta, match: [{headerName: x-user, headerValue: {exact: beta}}]}\n  - deploy: {}\n", "spec.steps[0].setHeaderRoute", "before a deploy step" },
        { "rw-mirror-route-empty-match", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setMirrorRoute: {name: m, percentage: 5, match: []}\n", "spec.steps[1].setMirrorRoute.match", "at least one condition" },
        { "rw-mirror-route-no-percentage", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setMirrorRoute: {name: m, match: [{uri: {prefix: /api}}]}\n", "spec.steps[1].setMirrorRoute.percentage", "is required to set a mirror route" },
        { "rw-mirror-route-zero", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setMirrorRoute: {name: m, percentage: 0}\n", "spec.steps[1].setMirrorRoute.percentage", ">= 1" },
        { "rw-mirror-route-over-100", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setMirrorRoute: {name: m, percentage: 101}\n", "spec.steps[1].setMirrorRoute.percentage", "<= 100" },
        { "rw-mirror-route-fraction", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setMirrorRoute: {name: m, percentage: 2.5}\n", "spec.steps[1].setMirrorRoute.percentage", "whole number" },
        { "rw-mirror-route-bad-match", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setMirrorRoute: {name: m, percentage: 5, match: [{uri: {prefix: api}}]}\n", "spec.steps[1].setMirrorRoute.match[0].uri", "must start with '/'" },
        { "rw-mirror-route-regex", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setMirrorRoute: {name: m, percentage: 5, match: [{headers: {x-a: {regex: '(a)\\1'}}}]}\n", "spec.steps[1].setMirrorRoute.match[0].headers.x-a.regex", "RE2" },
        { "rw-mirror-route-unknown-field", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setMirrorRoute: {name: m, percent: 5}\n", "spec.steps[1].setMirrorRoute.percent", "" },
        { "rw-mirror-route-name-of-header-route", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setHeaderRoute: {name: beta, match: [{headerName: x-a, headerValue: {exact: '1'}}]}\n  - setMirrorRoute: {name: beta, percentage: 5}\n", "spec.steps[2].setMirrorRoute.name", "set already by an earlier setHeaderRoute step" },
        { "rw-mirror-route-removes-header-route", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setHeaderRoute: {name: beta, match: [{headerName: x-a, headerValue: {exact: '1'}}]}\n  - setMirrorRoute: {name: beta}\n", "spec.steps[2].setMirrorRoute.name", "remove it with setHeaderRoute" },
        { "rw-mirror-route-remove-unset", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - setMirrorRoute: {name: m}\n", "spec.steps[1].setMirrorRoute.name", "no earlier step sets" },
        { "rw-mirror-route-before-deploy", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - setMirrorRoute: {name: m, percentage: 5}\n  - deploy: {}\n", "spec.steps[0].setMirrorRoute", "before a deploy step" },
        { "rw-promote-steps-falling", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - promote: {steps: [50, 20, 100]}\n", "spec.steps[1].promote.steps", "must rise and end at 100" },
        { "rw-promote-steps-not-100", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - promote: {steps: [20, 50]}\n", "spec.steps[1].promote.steps", "must rise and end at 100" },
        { "rw-promote-steps-empty", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - promote: {steps: []}\n", "spec.steps[1].promote.steps", "at least one weight" },
        { "rw-promote-steps-out-of-range", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - promote: {steps: [0, 100]}\n", "spec.steps[1].promote.steps[0]", "from 1 to 100" },
        { "rw-promote-steps-not-a-number", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - promote: {steps: [half, 100]}\n", "spec.steps[1].promote.steps[0]", "whole number" },
        { "rw-promote-interval-alone", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - promote: {interval: 1m}\n", "spec.steps[1].promote.interval", "needs steps" },
        { "rw-promote-unknown-field", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - promote: {stepWeights: [50, 100]}\n", "spec.steps[1].promote.stepWeights", "" },
        { "rw-window-no-duration", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  rollbackWindow: {}\n  steps:\n  - deploy: {}\n", "spec.rollbackWindow.duration", "is required" },
        { "rw-window-too-short", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  rollbackWindow: {duration: 10ms}\n  steps:\n  - deploy: {}\n", "spec.rollbackWindow.duration", "" },
        { "rw-window-unknown-field", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  rollbackWindow: {duration: 1m, delay: 1m}\n  steps:\n  - deploy: {}\n", "spec.rollbackWindow.delay", "" },
        { "rw-post-promotion-no-templates", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  postPromotionAnalysis: {args: {a: b}}\n  steps:\n  - deploy: {}\n", "spec.postPromotionAnalysis.templates", "is required" },
        { "rw-session-no-cookie", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  sessionAffinity: {maxAge: 1h}\n  steps:\n  - deploy: {}\n", "spec.sessionAffinity.cookieName", "is required" },
        { "rw-session-bad-cookie", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  sessionAffinity: {cookieName: 'my cookie;'}\n  steps:\n  - deploy: {}\n", "spec.sessionAffinity.cookieName", "must be a cookie name" },
        { "rw-session-max-age", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  sessionAffinity: {cookieName: c, maxAge: 21600}\n  steps:\n  - deploy: {}\n", "spec.sessionAffinity.maxAge", "must be a string" },
        { "rw-session-blue-green", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  strategy: blueGreen\n  sessionAffinity: {cookieName: c}\n  steps:\n  - deploy: {}\n", "spec.sessionAffinity", "is for canary workflows" },
        { "rw-session-route-name", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  sessionAffinity: {cookieName: c}\n  steps:\n  - deploy: {}\n  - setHeaderRoute: {name: session-affinity, match: [{headerName: x-a, headerValue: {exact: b}}]}\n", "spec.steps[1].setHeaderRoute.name", "the route sessionAffinity adds" },
        { "rw-strategy-unknown", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  strategy: linear\n  steps:\n  - deploy: {}\n", "spec.strategy", "must be canary or blueGreen" },
        { "rw-blue-green-set-weight", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  strategy: blueGreen\n  steps:\n  - deploy: {}\n  - setWeight: 10\n", "spec.steps[1].setWeight", "no share of the traffic" },
        { "rw-blue-green-promote-steps", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  strategy: blueGreen\n  steps:\n  - deploy: {}\n  - promote: {steps: [50, 100]}\n", "spec.steps[1].promote.steps", "all the traffic at once" },
        { "rw-blue-green-preview-name", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  strategy: blueGreen\n  steps:\n  - deploy: {}\n  - setMirrorRoute: {name: preview, percentage: 5}\n", "spec.steps[1].setMirrorRoute.name", "preview's own route" },
        { "rw-blue-green-rollback-window", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  strategy: blueGreen\n  rollbackWindow: {duration: 1m}\n  steps:\n  - deploy: {}\n", "spec.rollbackWindow", "scaleDownDelay" },
        { "rw-canary-scale-down-delay", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  scaleDownDelay: 1m\n  steps:\n  - deploy: {}\n", "spec.scaleDownDelay", "is for strategy: blueGreen" },
        { "rw-canary-pre-promotion", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  prePromotionAnalysis: {templates: [t]}\n  steps:\n  - deploy: {}\n", "spec.prePromotionAnalysis", "is for strategy: blueGreen" },
        { "rw-promote-not-last", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - promote: {}\n  - setWeight: 10\n", "spec.steps[1]", "promote must be the last step" },
        { "rw-two-keys", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n    setWeight: 5\n", "spec.steps[0]", "exactly one of" },
        { "rw-analysis-no-templates", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - analysis: {args: {a: b}}\n", "spec.steps[1].analysis.templates", "is required" },
        { "rw-webhook-url", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - webhook: {url: ftp://x}\n", "spec.steps[0].webhook.url", "http:// or https://" },
        { "rw-pause-duration", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - pause: {duration: forever}\n", "spec.steps[0].pause.duration", "is not a duration" },
        { "rw-on-inconclusive", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  onInconclusive: ignore\n  steps:\n  - promote: {}\n", "spec.onInconclusive", "pause or rollback" },
        { "rgw-no-members", Rgw + "spec: {gate: promoted}\n", "spec.members", "is required" },
        { "rgw-notification-not-url", Rgw + "spec:\n  members: [{service: a, workflow: w}]\n  notifications: [ops-channel]\n", "spec.notifications[0]", "must be an http:// or https:// URL" },
        { "rgw-empty-members", Rgw + "spec: {members: []}\n", "spec.members", "must not be empty" },
        { "rgw-no-workflow", Rgw + "spec: {members: [{service: payments}]}\n", "spec.members[0].workflow", "is required" },
        { "rgw-bad-service", Rgw + "spec: {members: [{service: Payments, workflow: canary}]}\n", "spec.members[0].service", "DNS-1123 label" },
        { "rgw-twice", Rgw + "spec: {members: [{service: payments, workflow: canary}, {service: payments, workflow: quick}]}\n", "spec.members[1].service", "is a member already (spec.members[0])" },
        { "rgw-after-unknown", Rgw + "spec: {members: [{service: payments, workflow: canary}, {service: checkout, workflow: canary, after: [paymnts]}]}\n", "spec.members[1].after[0]", "\"paymnts\" is not a member of the group (members: payments, checkout)" },
        { "rgw-after-itself", Rgw + "spec: {members: [{service: payments, workflow: canary, after: [payments]}]}\n", "spec.members[0].after[0]", "cannot start after itself" },
        { "rgw-after-twice", Rgw + "spec: {members: [{service: payments, workflow: canary}, {service: checkout, workflow: canary, after: [payments, payments]}]}\n", "spec.members[1].after[1]", "is named twice" },
        {
            "rgw-cycle", Rgw + "spec: {members: [{service: a, workflow: w, after: [c]}, {service: b, workflow: w, after: [a]}, {service: c, workflow: w, after: [b]}]}\n",
            "spec.members[0].after", "the members wait for each other in a cycle (each waits for the next): a -> c -> b -> a"
        },
        { "rgw-gate-word", Rgw + "spec: {members: [{service: a, workflow: w}], gate: done}\n", "spec.gate", "must be promoted, step N (N from 1) or weight W (W from 1 to 100)" },
        { "rgw-gate-step-zero", Rgw + "spec: {members: [{service: a, workflow: w}], gate: step 0}\n", "spec.gate", "must be promoted, step N" },
        { "rgw-gate-weight-high", Rgw + "spec: {members: [{service: a, workflow: w}], gate: weight 120}\n", "spec.gate", "must be promoted, step N" },
        { "rgw-policy", Rgw + "spec: {members: [{service: a, workflow: w}], onMemberFailure: ignore}\n", "spec.onMemberFailure", "must be rollbackAll or rollbackDependants" },
        { "rgw-analysis-no-templates", Rgw + "spec: {members: [{service: a, workflow: w}], analysis: {args: {a: b}}}\n", "spec.analysis.templates", "is required" },
        { "rgw-unknown-field", Rgw + "spec: {members: [{service: a, workflow: w, version: v2}]}\n", "spec.members[0].version", "unsupported field" },
        { "no-kind", "apiVersion: lightmesh.io/v1\nmetadata:\n  name: x\nspec: {}\n", "kind", "is required" },
        { "unknown-kind", "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: x\nspec: {}\n", "kind", "not supported" },
        { "wrong-api-version", "apiVersion: networking.istio.io/v2\nkind: VirtualService\nmetadata:\n  name: x\nspec:\n  hosts: [checkout]\n  http:\n" + Route, "apiVersion", "is not an API version of VirtualService" },
        { "no-metadata-name", "apiVersion: lightmesh.io/v1\nkind: Service\nmetadata: {}\nspec:\n  protocol: http\n  port: 80\n", "metadata.name", "is required" },
        { "namespace", "apiVersion: lightmesh.io/v1\nkind: Service\nmetadata:\n  name: a\n  namespace: default\nspec:\n  protocol: http\n  port: 80\n", "metadata.namespace", "unsupported field" },
        { "no-spec", "apiVersion: lightmesh.io/v1\nkind: Service\nmetadata:\n  name: a\n", "spec", "is required" },
        { "top-level-status", "apiVersion: lightmesh.io/v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  protocol: http\n  port: 80\nstatus: {}\n", "status", "unsupported field" },
        { "document-not-object", "- a\n- b\n", "", "must be an object" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_InvalidDocument_ReportsErrorAtPath(string name, string yaml, string path, string fragment)
    {
        var result = DocumentParser.Parse(yaml, $"{name}.yaml");

        Assert.Empty(result.Documents);
        Assert.Contains(result.Errors, e => e.Path == path && e.Message.Contains(fragment, StringComparison.Ordinal));
        Assert.All(result.Errors, e => Assert.Equal($"{name}.yaml", e.Source));
    }

    [Fact]
    public void Cases_AreAtLeastForty() => Assert.True(Cases.Count >= 40, $"only {Cases.Count} cases");

    [Fact]
    public void Parse_DocumentWithSeveralProblems_ReportsEveryOne()
    {
        var yaml = Vs + "spec:\n  hosts: [checkout]\n  http:\n  - timeout: soon\n    route:\n    - destination: {host: checkout, subset: V1}\n      weight: -1\n    retries: {attempts: -2}\n";

        var errors = DocumentParser.Parse(yaml, "many.yaml").Errors.Select(e => e.ToString()).ToList();

        Assert.Equal(
            [
                "many.yaml: VirtualService/checkout: spec.http[0].route[0].destination.subset: \"V1\" must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)",
                "many.yaml: VirtualService/checkout: spec.http[0].route[0].weight: must be >= 0",
                "many.yaml: VirtualService/checkout: spec.http[0].timeout: \"soon\" is not a duration (use a number with a unit: 500ms, 1.5s, 2m, 1h)",
                "many.yaml: VirtualService/checkout: spec.http[0].retries.attempts: must be >= 0",
            ],
            errors);
    }

    [Fact]
    public void Parse_TemplateWithTwoShortJudgementWindows_ReportsBothWithWhatTheyGiveAndNeed()
    {
        const string yaml = "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n"
            + "  - name: latency\n    provider: {prometheus: {query: up}}\n    judge: {baselineQuery: up, window: 1m, step: 30s}\n"
            + "  - name: errors\n    provider: {prometheus: {query: up}}\n    judge: {baselineQuery: up, window: 2m, step: 30s, confidence: 0.99, minimumPoints: 2}\n";

        var errors = DocumentParser.Parse(yaml, "short.yaml").Errors.Select(e => e.ToString()).ToList();

        Assert.Equal(
            [
                "short.yaml: AnalysisTemplate/t: spec.metrics[0].judge.window: 1m at step 30s gives 3 points per side; confidence 0.98 needs at least 5",
                "short.yaml: AnalysisTemplate/t: spec.metrics[1].judge.window: 2m at step 30s gives 5 points per side; confidence 0.99 needs at least 6",
            ],
            errors);
    }

    [Fact]
    public void Parse_JudgementWindowGivingJustEnoughPoints_IsAcceptedWhateverItsMinimumPoints()
    {
        // 2m at 30s gives 5 points, what 0.98 needs; minimumPoints 2 is below that, and harmless: the judge takes the larger.
        const string yaml = "apiVersion: lightmesh.io/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n"
            + "  - name: latency\n    provider: {prometheus: {query: up}}\n    judge: {baselineQuery: up, window: 2m, step: 30s, minimumPoints: 2}\n";

        var result = DocumentParser.Parse(yaml, "enough.yaml");

        Assert.Empty(result.Errors);
        Assert.Single(result.Documents);
    }

    [Fact]
    public void Parse_BrokenYaml_ReportsLineAndColumn()
    {
        var result = DocumentParser.Parse("kind: Service\nmetadata: [a\n", "broken.yaml");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("broken.yaml: not valid YAML or JSON: line ", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apiVersion: lightmesh.io/v1\nkind: Service\nmetadata: {name: a}\nspec:\n\tprotocol: http\n", 5, 1)]
    [InlineData("apiVersion: lightmesh.io/v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  protocol: http\n  \tport: 80\n", 7, 3)]
    public void Parse_TabAsIndentation_IsReportedWhereTheTabIs(string yaml, int line, int column)
    {
        var result = DocumentParser.Parse(yaml, "tabs.yaml");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith($"tabs.yaml: not valid YAML or JSON: line {line}, column {column}: ", error.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("; indent with spaces: YAML does not allow tabs there", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateKey_IsRejectedNamingDocumentAndPath()
    {
        var result = DocumentParser.Parse("kind: Service\nkind: Node\n", "dup.yaml");

        Assert.Equal("dup.yaml: document 1 (line 1): kind: the key is given more than once", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Parse_OneBadDocumentAmongGood_KeepsGoodAndNamesTheBadOne()
    {
        var yaml = Svc + "spec:\n  protocol: http\n  port: 80\n---\n" + Node + "spec:\n  address: nowhere\n";

        var result = DocumentParser.Parse(yaml, "two.yaml");

        Assert.Single(result.Documents);
        Assert.Equal("two.yaml: Node/node-1: spec.address: \"nowhere\" must be an IP address", Assert.Single(result.Errors).ToString());
    }
}
