using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Retention;

public sealed class Response
{
    public int RetainContactDays { get; init; }
    /// <summary>When the purge runs: <c>closesAt</c> + <c>retainContactDays</c> (it moves with the deadline).</summary>
    public DateTimeOffset PurgeAt { get; init; }
    /// <summary>When it ran; null until then.</summary>
    public DateTimeOffset? PurgedAt { get; init; }
    /// <summary>Signatures the purge deletes whole: every one not confirmed (pending, review, rejected, withdrawn, expired).</summary>
    public long SignaturesToDelete { get; init; }
    /// <summary>Confirmed signatures that stay for the public list and the delivery pack, without email or organisation contact.</summary>
    public long SignaturesToKeepWithoutContact { get; init; }
    public string What { get; init; } = "At purgeAt the letter's data key is destroyed, so every email and contact detail encrypted under it " +
        "becomes unreadable at once; unconfirmed signatures, email HMACs, tokens and queued emails are deleted; " +
        "organisations' contact names and roles are erased. The public list and the delivery pack keep working.";
}

public sealed class Endpoint(LettersStore letters, SignaturesStore signatures) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/api/letters/{id:long}/retention");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("GetRetention").WithTags("Privacy").WithSummary("What will be purged from a letter, and when")
            .Produces<Response>().Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var letter = await letters.FindAsync(Route<long>("id"), ct);
        if (letter is null)
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        var counts = (await signatures.CountsByStatusAsync([letter.Id], ct))[letter.Id].ToList();
        await Send.OkAsync(new Response
        {
            RetainContactDays = letter.RetainContactDays,
            PurgeAt = letter.PurgeAt,
            PurgedAt = letter.PurgedAt,
            SignaturesToDelete = letter.PurgedAt is null ? counts.Where(c => c.Status != SignatureStatus.Confirmed).Sum(c => c.Count) : 0,
            SignaturesToKeepWithoutContact = counts.Where(c => c.Status == SignatureStatus.Confirmed).Sum(c => c.Count),
        }, ct);
    }
}
