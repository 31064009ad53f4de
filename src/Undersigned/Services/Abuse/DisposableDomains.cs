using Undersigned.Domain.Outbox;

namespace Undersigned.Services.Abuse;

/// <summary>Email domains that hand out throwaway inboxes; a signature needs an address its signer keeps.</summary>
public sealed class DisposableDomains
{
    readonly HashSet<string> domains;

    public DisposableDomains(string path)
    {
        domains = File.Exists(path)
            ? File.ReadLines(path).Select(l => l.Trim().ToLowerInvariant()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet()
            : [];
    }

    public bool Contains(string email)
    {
        var at = email.LastIndexOf('@');
        if (at < 0) return false;
        var domain = email[(at + 1)..].Trim().ToLowerInvariant();
        // sub.mailinator.com is as disposable as mailinator.com
        for (var dot = -1; domain.Length > 0; domain = domain[(dot + 1)..])
        {
            if (domains.Contains(domain)) return true;
            dot = domain.IndexOf('.');
            if (dot < 0) break;
        }
        return false;
    }
}
