using Microsoft.Net.Http.Headers;

namespace Undersigned.Infrastructure;

public static class Attachment
{
    /// <summary>
    /// <c>Content-Disposition: attachment</c> with an RFC 6266 <c>filename*</c> (UTF-8) beside an ASCII <c>filename</c>,
    /// so no stored name can break the header.
    /// </summary>
    public static void AsAttachment(this HttpResponse response, string fileName)
    {
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(fileName);
        response.Headers.ContentDisposition = disposition.ToString();
    }
}
