using System.Text;

namespace Sightline.Benchmarks.Redaction;

/// <summary>Realistic API bodies: a user with addresses and a list of orders, grown to the requested size.</summary>
public static class SampleDocuments
{
    public static byte[] Create(int targetBytes) => Encoding.UTF8.GetBytes(CreateString(targetBytes));

    public static string CreateString(int targetBytes)
    {
        var sb = new StringBuilder();
        sb.Append("""{"user":{"id":"u_8f2a91","name":"Anna Müller","email":"anna.mueller@example.com","phone":"+49 30 1234567","addresses":[{"street":"Hauptstr. 1","city":"Berlin","zip":"10115","country":"DE"},{"street":"Main St 5","city":"Boston","zip":"02108","country":"US"}],"preferences":{"newsletter":true,"language":"de-DE"}},"orders":[""");
        var i = 0;
        while (sb.Length < targetBytes - 300)
        {
            if (i > 0) sb.Append(',');
            sb.Append($$"""{"id":"o_{{i:D6}}","status":"shipped","total":{{(i * 37 % 1000) + 0.99}},"currency":"EUR","items":[{"sku":"SKU-{{i % 97}}","qty":{{1 + i % 3}},"price":19.99}],"payment":{"method":"card","card_number":"4111111111111111","expires":"12/29"},"notes":null}""");
            i++;
        }
        sb.Append("],\"page\":1,\"total_pages\":4}");
        return sb.ToString();
    }
}
