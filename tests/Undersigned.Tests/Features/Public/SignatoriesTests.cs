using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Undersigned.Tests.Features.Public;

public sealed class SignatoriesTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Public_cursors_reveal_no_signature_id_and_one_letters_cursor_is_refused_on_another()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var other = await app.CreatePublishedLetterAsync();
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
            ids.Add((long)(await (await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures",
                new { kind = "individual", name = $"Named Signer {i}", showName = true })).JsonAsync())["id"]!);

        var url = $"/api/public/letters/{letter["slug"]}/signatories?limit=1";
        var seen = new List<string>();
        for (string? cursor = null; ;)
        {
            var page = await (await app.Anonymous().GetAsync(url + (cursor is null ? "" : $"&cursor={cursor}"))).JsonAsync();
            seen.AddRange(page["items"]!.AsArray().Select(s => (string)s!["display"]!));
            Assert.DoesNotContain(page["items"]!.AsArray(), s => s!.AsObject().ContainsKey("id"));
            if ((cursor = (string?)page["nextCursor"]) is null) break;
            // Paging one at a time must not hand out the signers' ids, in the cursor or anywhere in it.
            var bytes = Base64Url.DecodeFromChars(cursor);
            Assert.False(long.TryParse(System.Text.Encoding.ASCII.GetString(bytes), out _));
            foreach (var id in ids)
            {
                var idBytes = new byte[8];
                System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(idBytes, id);
                Assert.False(bytes.AsSpan().IndexOf(idBytes.AsSpan(2)) >= 0); // not there in the clear
            }
            Assert.Equal(["cursor"], await (await app.Anonymous().GetAsync($"/api/public/letters/{other["slug"]}/signatories?cursor={cursor}")).ProblemAsync(400));
        }
        Assert.Equal(["Named Signer 0", "Named Signer 1", "Named Signer 2"], seen);
        // A cursor from the old form (base64 of an id) is not one this API gives out.
        Assert.Equal(["cursor"], await (await app.Anonymous().GetAsync(url + "&cursor=" + Base64Url.EncodeToString("1"u8))).ProblemAsync(400));
    }
}
