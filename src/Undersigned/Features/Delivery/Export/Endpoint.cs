using System.Text;
using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Delivery.Export;

public sealed class Request
{
    /// <summary>One or more statuses, comma-separated, or <c>all</c> (default <c>confirmed</c>).</summary>
    public string? Status { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Status).Must(s => SignatureStatus.Parse(s, [SignatureStatus.Confirmed]) is not null).WithMessage(SignatureStatus.ParseMessage);
    }
}

/// <summary>
/// The staff CSV, streamed in keyset-paged batches: memory stays flat whatever the size, and no read transaction
/// stays open while a slow client downloads.
/// </summary>
public sealed class Endpoint(LettersStore letters, SignaturesStore signatures, AuditStore audit, LetterKeys letterKeys, TimeProvider clock) : Endpoint<Request>
{
    public const int BatchSize = 2000;
    static readonly string[] Header =
        ["kind", "display name", "name", "role", "organisation", "email", "status", "shown publicly", "text version", "staff added", "signed at", "confirmed at",
         "language", "consent wording"];

    public override void Configure()
    {
        Get("/api/letters/{id:long}/export.csv");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("ExportSignatures").WithTags("Delivery")
            .WithSummary("Every signature with contact details as CSV (UTF-8 with BOM, RFC 4180), default status=confirmed")
            .Produces(200, contentType: "text/csv").Problems(400, 404), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var statuses = SignatureStatus.Parse(request.Status, [SignatureStatus.Confirmed])!;
        var letter = await letters.FindAsync(Route<long>("id"), ct);
        if (letter is null)
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }

        var key = await letterKeys.GetAsync(letter.Id, ct);
        var response = HttpContext.Response;
        response.ContentType = "text/csv; charset=utf-8";
        response.AsAttachment($"{letter.Slug}-signatories-{now:yyyy-MM-dd}.csv");
        response.Headers.CacheControl = "no-store";
        long rows = 0;
        try
        {
            await using var writer = new StreamWriter(response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 64 * 1024);
            await Csv.WriteRowAsync(writer, Header);
            long after = 0;
            while (true)
            {
                var batch = await signatures.BatchAfterAsync(letter.Id, statuses, after, BatchSize, ct);
                foreach (var s in batch)
                    await Csv.WriteRowAsync(writer, [s.Kind, s.Display, s.Name, s.Role, s.Organisation, s.Email(key), s.Status,
                        s.ShowName ? "yes" : "no", s.TextVersion.ToString(), s.StaffAddedBy is null ? "no" : "yes",
                        Json.Format(s.SignedAt), s.ConfirmedAt is { } c ? Json.Format(c) : "", s.Language ?? letter.Language, s.ConsentWording(letter.Language)]);
                rows += batch.Count;
                await writer.FlushAsync(ct);
                if (batch.Count < BatchSize) break;
                after = batch[^1].Id;
            }
        }
        finally
        {
            await audit.RecordAsync(null, now, User.KeyId(), AuditStore.ExportCsv, letter.Id, rows: rows,
                details: new { status = string.Join(',', statuses) }, ct: CancellationToken.None);
        }
    }
}
