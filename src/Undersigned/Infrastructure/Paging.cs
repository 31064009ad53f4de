using System.Buffers.Text;
using System.Text;
using FastEndpoints;
using FluentValidation;

namespace Undersigned.Infrastructure;

/// <summary>Query parameters every list takes.</summary>
public abstract class PageQuery
{
    /// <summary>Items per page, 1–100 (default 50).</summary>
    public int? Limit { get; set; }

    /// <summary>The <c>nextCursor</c> of the previous page.</summary>
    public string? Cursor { get; set; }

    public int Take => Limit ?? 50;

    /// <summary>The ordering key of the last item seen, from the cursor; null on the first page.</summary>
    public long? CursorKey => Cursor is null ? null : Paging.Decode(Cursor);
}

public abstract class PageQueryValidator<T> : Validator<T> where T : PageQuery
{
    protected PageQueryValidator(bool checkCursor = true)
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, 100);
        if (checkCursor)
            RuleFor(q => q.Cursor).Must(c => Paging.Decode(c!) is not null).When(q => q.Cursor is not null).WithMessage(Paging.CursorMessage);
    }
}

public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

public static class Paging
{
    public const string CursorMessage = "is not a cursor this API gave out.";

    /// <summary>Builds a page from up to <c>take + 1</c> rows: the extra row only says whether another page exists.</summary>
    public static Page<T> Of<T>(IReadOnlyList<T> rows, int take, Func<T, long> id, Func<long, string>? encode = null)
        => rows.Count > take ? new(rows.Take(take).ToList(), (encode ?? Encode)(id(rows[take - 1]))) : new(rows, null);

    static string Encode(long id) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(id.ToString()));

    public static long? Decode(string cursor)
    {
        try
        {
            return long.TryParse(Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor)), out var id) && id > 0 ? id : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
