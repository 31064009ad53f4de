using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using Undersigned.Domain.Outbox;
using Undersigned.Infrastructure;

namespace Undersigned.Services;

/// <summary>
/// The service's own instruments (meter <c>Undersigned</c>), exported by OpenTelemetry (Prometheus at <c>/metrics</c>,
/// OTLP when configured). No label carries an email, token, client address, webhook URL or letter slug; and no
/// instrument separates outcomes the API keeps identical for the client (a new signature or a duplicate, the honeypot,
/// one held as suspicious, a partner's duplicate). Gauges read from the shared database carry <c>scope="database"</c>:
/// every instance reports the same value, so queries take <c>max()</c> across instances.
/// </summary>
public sealed class ServiceMetrics
{
    public const string MeterName = "Undersigned";

    readonly Counter<long> received, emails, webhookDeliveries, setFallbacks;
    readonly Histogram<int> batchSize;
    readonly Histogram<double> commitSeconds;

    public ServiceMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName, ServiceVersion.Version);
        received = meter.CreateCounter<long>("undersigned.signatures.received", "{signature}",
            "Signatures accepted by the public form (202), whatever became of them");
        emails = meter.CreateCounter<long>("undersigned.emails", "{email}", "Emails by outcome: sent, deferred, held, refused, undeliverable");
        webhookDeliveries = meter.CreateCounter<long>("undersigned.webhook.deliveries", "{delivery}", "Webhook attempts by endpoint id and outcome");
        setFallbacks = meter.CreateCounter<long>("undersigned.writer.set_fallbacks", "{batch}",
            "Batches whose new signatures could not go in as a set (an error other than a conflict) and went one at a time");
        batchSize = meter.CreateHistogram<int>("undersigned.writer.batch.size", "{write}", "Writes committed together by the signature writer",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });
        commitSeconds = meter.CreateHistogram<double>("undersigned.writer.commit.duration", "s", "Time to write and commit one batch",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
    }

    public void SignatureReceived() => received.Add(1);

    public void SetFellBack() => setFallbacks.Add(1);

    public void BatchCommitted(int size, TimeSpan took)
    {
        batchSize.Record(size);
        commitSeconds.Record(took.TotalSeconds);
    }

    /// <param name="outcome"><c>sent</c>, <c>deferred</c> (refused for now), <c>held</c> (the relay refused us), <c>refused</c> (by the
    /// recipient, not yet proven), <c>undeliverable</c>.</param>
    /// <param name="count">How many.</param>
    public void Email(string outcome, int count = 1)
    {
        if (count > 0) emails.Add(count, new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <param name="endpointId">The endpoint's id, never its URL.</param>
    /// <param name="outcome"><c>delivered</c>, <c>failed</c> or <c>cancelled</c>.</param>
    public void WebhookDelivery(long endpointId, string outcome)
        => webhookDeliveries.Add(1, new("endpoint_id", endpointId), new("outcome", outcome));
}

/// <summary>The gauges: read when scraped, from memory or (at most once a second) from the database.</summary>
public sealed class ServiceGauges
{
    static readonly KeyValuePair<string, object?> DatabaseScope = new("scope", "database");
    (long Count, DateTimeOffset? Oldest) backlog;
    long? backlogReadAt;

    public ServiceGauges(IMeterFactory meters, GroupCommit writer, OutboxStore outbox, Loops loops, TimeProvider clock)
    {
        var meter = meters.Create(ServiceMetrics.MeterName, ServiceVersion.Version);
        meter.CreateObservableGauge("undersigned.writer.queue.depth", () => writer.QueueDepth, "{write}", "Writes waiting for the signature writer");
        meter.CreateObservableGauge("undersigned.outbox.backlog", () => new Measurement<long>(Backlog().Count, DatabaseScope), "{email}",
            "Emails waiting to be sent (held ones included)");
        meter.CreateObservableGauge("undersigned.outbox.oldest.age", () => new Measurement<double>(
                Backlog().Oldest is { } oldest ? Math.Max(0, (clock.GetUtcNow() - oldest).TotalSeconds) : 0, DatabaseScope), "s",
            "Age of the oldest email waiting");
        meter.CreateObservableGauge("undersigned.mail.transport.held", () => loops[Loops.Mail].FailingSince is null ? 0 : 1, "1",
            "1 while the mail relay refuses this instance or is out of reach");
        meter.CreateObservableGauge("undersigned.loop.last_success", () => loops.All.Where(l => l.LastSuccess is not null && l.Name != Loops.Mail)
                .Select(l => new Measurement<double>(l.LastSuccess!.Value.ToUnixTimeMilliseconds() / 1000.0, new KeyValuePair<string, object?>("loop", l.Name))),
            "s", "When each background loop last succeeded (Unix time)");
        meter.CreateObservableGauge("undersigned.loop.set_aside", () => loops.All.Select(l => new Measurement<int>(l.SetAside,
            new KeyValuePair<string, object?>("loop", l.Name))), "{item}", "Items each loop stopped retrying after 5 failures in a row");

        // Scrapes read the database at most once a second (real time), however often they come.
        (long Count, DateTimeOffset? Oldest) Backlog()
        {
            if (Environment.TickCount64 - backlogReadAt < 1000) return backlog; // null the first time: read
            try
            {
                backlog = outbox.BacklogAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception e) when (Transient.Is(e)) { } // the last value stands; readiness reports the database
            backlogReadAt = Environment.TickCount64;
            return backlog;
        }
    }
}

public static class MetricsServices
{
    /// <summary>Off (<c>Undersigned__Metrics__Enabled=false</c>): nothing listens to the instruments, and /metrics is not served.</summary>
    static bool Enabled(IConfiguration configuration) => configuration.GetValue("Undersigned:Metrics:Enabled", true);

    public static IServiceCollection AddMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ServiceMetrics>();
        services.AddSingleton<ServiceGauges>();
        if (Enabled(configuration))
            services.AddOpenTelemetry().WithMetrics(metrics =>
            {
                // The service's own instruments, ASP.NET Core's HTTP server metrics (routes as templates, never a slug) and Npgsql's.
                metrics.AddMeter(ServiceMetrics.MeterName, "Npgsql").AddAspNetCoreInstrumentation().AddPrometheusExporter();
                if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) metrics.AddOtlpExporter();
            });
        return services;
    }

    /// <summary>Prometheus text for a key with the metrics role (admin keys are not for monitoring systems), and the gauges.</summary>
    public static WebApplication MapMetrics(this WebApplication app)
    {
        if (Enabled(app.Configuration)) app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(policy => policy.RequireRole(Role.Metrics));
        app.Services.GetRequiredService<ServiceGauges>(); // registers the gauges
        return app;
    }
}
